// Split-K: adds the parts' raw sums (matmul.wgsl with SPLIT) in a fixed order, so the result is
// deterministic, then runs the GEMM epilogue. math.wgsl and gemm_epilogue.wgsl are prepended.
// One thread per output element of the [m, n] product.

override WG: u32 = 256u;

struct Params {
  m: u32,
  n: u32,
  parts: u32,
  part_stride: u32, // elements between parts' sums
  ldc: u32,
  c_offset: u32,
  alpha: f32,
  bias_offset: u32,
  query_offset: u32, // unused (no masked split-K), named for the epilogue
  key_len: u32,      // unused
  neg_inf: f32,      // unused
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> sums: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read> extra: array<u32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= params.m * params.n) {
    return;
  }
  var sum = 0.0;
  for (var p = 0u; p < params.parts; p++) {
    sum += sums[p * params.part_stride + i];
  }
  let row = i / params.n;
  let col = i % params.n;
  let at = params.c_offset + row * params.ldc + col;
  c[at] = finish(sum, row, col, at, 0u);
}
