// Decodes ggml block-quantised storage (blocks.wgsl, prepended) to f32, for the ops that need the
// values themselves (read-back, generic fallbacks); the matrix kernels read blocks in place.

override KIND: u32 = 3u; // 3 Q8_0, 4 Q4_0 (ELEMENT_KIND)
override WG: u32 = 256u;

struct Params {
  count: u32, // values to write
  first: u32, // index of the first value (a chunk of a split f32 output)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

fn block_word(i: u32) -> u32 {
  return src[i];
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= params.count) {
    return;
  }
  out[i] = block_value(KIND, params.first + i);
}
