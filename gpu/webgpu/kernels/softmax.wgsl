// Softmax over the last axis with max subtraction; one workgroup per row (WG a power of two).
// A row whose entries are all −inf (fully masked) gives all 0 rather than NaN.

override WG: u32 = 256u;

struct Params {
  rows: u32,
  n: u32,
  neg_inf: f32, // WGSL has no inf literal
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> scratch: array<f32, WG>; // row_tree.wgsl reduces through it

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lane: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  let row = wid.x + wid.y * groups.x;
  if (row >= params.rows) {
    return;
  }
  let base = row * params.n;
  var m = params.neg_inf;
  for (var j = lane; j < params.n; j += WG) {
    m = max(m, x[base + j]);
  }
  m = tree_max(m, lane);
  var s = 0.0;
  for (var j = lane; j < params.n; j += WG) {
    s += exp(x[base + j] - m);
  }
  s = tree_sum(s, lane);
  let all_masked = m == params.neg_inf;
  for (var j = lane; j < params.n; j += WG) {
    out[base + j] = select(exp(x[base + j] - m) / s, 0.0, all_masked);
  }
}
