// Decodes ggml block-quantised storage (raw blocks, bytes packed little-endian in u32 words)
// to f32 exactly as ggml's dequantize_row_* does: value = f32(d) · q, one float32 product.
// Blocks hold 32 values and start at even byte offsets, so a block's f16 scale never
// straddles a word. A further type is one more KIND case in `decode` (and gpu/quant.ts).

override KIND: u32 = 3u; // 3 Q8_0, 4 Q4_0 (ELEMENT_KIND)
override WG: u32 = 256u;

struct Params {
  count: u32, // values to write
  first: u32, // index of the first value (a chunk of a split f32 output)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

fn byte_at(o: u32) -> u32 {
  return (src[o >> 2u] >> ((o & 3u) * 8u)) & 0xffu;
}

// IEEE half at even byte offset o, widened exactly (subnormals included, never flushed).
fn half_at(o: u32) -> f32 {
  let h = (src[o >> 2u] >> ((o & 2u) * 8u)) & 0xffffu;
  let sign = (h & 0x8000u) << 16u;
  let e = (h >> 10u) & 0x1fu;
  let m = h & 0x3ffu;
  if (e == 0u) {
    let v = f32(m) * 5.9604644775390625e-8; // m · 2^-24, exact
    return select(v, -v, sign != 0u);
  }
  if (e == 31u) {
    return bitcast<f32>(sign | 0x7f800000u | (m << 13u));
  }
  return bitcast<f32>(sign | ((e + 112u) << 23u) | (m << 13u));
}

fn decode(i: u32) -> f32 {
  let j = i & 31u;
  if (KIND == 3u) {
    // Q8_0: f16 d, int8 qs[32].
    let base = (i >> 5u) * 34u;
    let q = bitcast<i32>(byte_at(base + 2u + j) << 24u) >> 24u;
    return half_at(base) * f32(q);
  }
  // Q4_0: f16 d, 16 bytes; value j low nibble of byte j, value j + 16 its high nibble, minus 8.
  let base = (i >> 5u) * 18u;
  let byte = byte_at(base + 2u + (j & 15u));
  let nibble = select(byte & 15u, byte >> 4u, j >= 16u);
  return half_at(base) * f32(i32(nibble) - 8);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= params.count) {
    return;
  }
  out[i] = decode(params.first + i);
}
