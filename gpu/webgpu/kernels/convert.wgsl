// Decodes 16-bit floats packed in u32 words (element 2i in the low half, little-endian) to f32.
// BF16 is the top half of an f32, so decoding is a shift; F16 uses unpack2x16float, which is
// core WGSL and needs no shader-f16.

override KIND: u32 = 1u; // 1 f16, 2 bf16
override WG: u32 = 256u;

struct Params {
  count: u32, // elements
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

fn decode_pair(word: u32) -> vec2<f32> {
  if (KIND == 1u) {
    return unpack2x16float(word);
  }
  return vec2<f32>(bitcast<f32>(word << 16u), bitcast<f32>(word & 0xffff0000u));
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let pair = gid.x + gid.y * groups.x * WG;
  let i = 2u * pair;
  if (i >= params.count) {
    return;
  }
  let v = decode_pair(src[pair]);
  out[i] = v.x;
  if (i + 1u < params.count) {
    out[i + 1u] = v.y;
  }
}
