// Keeps the k largest entries of each row (last axis), zeroes the rest; one workgroup per row.
// An entry's rank is the number of entries before it in the order (value descending, index
// ascending); it is kept when its rank is below k. O(n²) per row, which is fine for dictionary
// widths (a few thousand) and keeps the result exactly the CPU backend's.

override WG: u32 = 256u;

struct Params {
  rows: u32,
  n: u32,
  k: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lane: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  let row = wid.x + wid.y * groups.x;
  if (row >= params.rows) {
    return;
  }
  let base = row * params.n;
  for (var j = lane; j < params.n; j += WG) {
    let v = x[base + j];
    var rank = 0u;
    for (var i = 0u; i < params.n; i++) {
      let u = x[base + i];
      if (u > v || (u == v && i < j)) {
        rank++;
      }
    }
    out[base + j] = select(0.0, v, rank < params.k);
  }
}
