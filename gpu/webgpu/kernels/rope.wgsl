// Rotary embedding, rotate_half convention, on the first 2·HALF dims of each head:
//   d < HALF:          out = x[d]·cos_j − x[d + HALF]·sin_j     (j = d)
//   HALF ≤ d < 2·HALF: out = x[d]·cos_j + x[d − HALF]·sin_j     (j = d − HALF)
//   d ≥ 2·HALF:        out = x[d]                                (partial rotary)
// cos/sin come from the host per (token, j), computed in f64: the angle pos·θ^(−2j/rot) needs
// more than f32 to be exact at large positions, and WGSL's sin/cos are only accurate near 0.

override WG: u32 = 256u;

struct Params {
  count: u32,
  heads: u32,
  d_head: u32,
  half: u32, // rotaryDims / 2
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> cos_sin: array<vec2<f32>>; // [token, half]
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= params.count) {
    return;
  }
  let d = i % params.d_head;
  let h = params.half;
  if (d >= 2u * h) {
    out[i] = x[i];
    return;
  }
  let token = i / (params.heads * params.d_head);
  let j = d % h;
  let cs = cos_sin[token * h + j];
  if (d < h) {
    out[i] = x[i] * cs.x - x[i + h] * cs.y;
  } else {
    out[i] = x[i] * cs.x + x[i - h] * cs.y;
  }
}
