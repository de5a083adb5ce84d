// Embedding lookup: out[out_row, :] = table[table_row, :] for each (out_row, table_row) pair.
// The host groups ids by the table chunk that holds them (tables over the binding limit are
// split by rows), so one dispatch per chunk touches only its own rows. F16/BF16 tables stay
// packed (two per u32, element 2i in the low half) and are decoded here; f32 rows move as bits.

override KIND: u32 = 0u; // 0 f32, 1 f16, 2 bf16, 3+ ggml blocks (blocks.wgsl)
override WG: u32 = 256u;

struct Params {
  count: u32, // pairs · d
  d: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> rows: array<vec2<u32>>; // (out_row, table_row)
@group(0) @binding(2) var<storage, read> table: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;

fn block_word(i: u32) -> u32 {
  return table[i];
}

fn load(e: u32) -> u32 {
  if (KIND == 0u) {
    return table[e];
  }
  if (KIND >= 3u) {
    return bitcast<u32>(block_value(KIND, e));
  }
  let word = table[e >> 1u];
  if (KIND == 1u) {
    return bitcast<u32>(unpack2x16float(word)[e & 1u]);
  }
  return select(word << 16u, word & 0xffff0000u, (e & 1u) == 1u);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= params.count) {
    return;
  }
  let pair = rows[i / params.d];
  let c = i % params.d;
  out[pair.x * params.d + c] = load(pair.y * params.d + c);
}
