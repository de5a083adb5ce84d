// Norm divisor over the last axis, one workgroup per row (WG a power of two):
//   CENTER (LayerNorm): sqrt(mean((x − mean(x))²) + eps)   two passes, no E[x²] − E[x]² cancellation
//   else   (RMSNorm):   sqrt(mean(x²) + eps)

override CENTER: bool = true;
override WG: u32 = 256u;

struct Params {
  rows: u32,
  n: u32,
  eps: f32,
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
  let count = f32(params.n);
  var mean = 0.0;
  if (CENTER) {
    var s = 0.0;
    for (var j = lane; j < params.n; j += WG) {
      s += x[base + j];
    }
    mean = tree_sum(s, lane) / count;
  }
  var q = 0.0;
  for (var j = lane; j < params.n; j += WG) {
    let d = x[base + j] - mean;
    q += d * d;
  }
  q = tree_sum(q, lane);
  if (lane == 0u) {
    out[row] = sqrt(q / count + params.eps);
  }
}
