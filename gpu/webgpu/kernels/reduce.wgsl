// Sum or mean over one axis: x viewed as [outer, r, inner] → out [outer, inner].
// A workgroup owns COLS adjacent outputs (coalesced reads along inner) with LANES threads per
// output striding over r (coalesced along r when inner = 1). Each thread keeps a compensated
// (Kahan) sum; the LANES partials are then added pairwise in workgroup memory.

override COLS: u32 = 1u;   // power of two
override LANES: u32 = 256u; // power of two, COLS·LANES ≤ 256
override MEAN: bool = false;

struct Params {
  outer: u32,
  r: u32,
  inner: u32,
  groups_per_outer: u32, // ceil(inner / COLS)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> partial: array<f32, COLS * LANES>;

@compute @workgroup_size(COLS * LANES)
fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  let g = wid.x + wid.y * groups.x;
  let o = g / params.groups_per_outer;
  let col = tid % COLS;
  let lane = tid / COLS;
  let i = (g % params.groups_per_outer) * COLS + col;
  let live = o < params.outer && i < params.inner;
  var sum = 0.0;
  var lost = 0.0; // Kahan compensation: the low-order bits the running sum dropped
  if (live) {
    let base = o * params.r * params.inner + i;
    for (var k = lane; k < params.r; k += LANES) {
      let y = x[base + k * params.inner] - lost;
      let t = sum + y;
      lost = (t - sum) - y;
      sum = t;
    }
  }
  partial[tid] = sum - lost;
  workgroupBarrier();
  for (var s = LANES / 2u; s > 0u; s >>= 1u) {
    if (lane < s) {
      partial[tid] += partial[tid + s * COLS];
    }
    workgroupBarrier();
  }
  if (lane == 0u && live) {
    let total = partial[col];
    out[o * params.inner + i] = select(total, total / f32(params.r), MEAN);
  }
}
