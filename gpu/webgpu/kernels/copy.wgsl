// Strided copy, the one kernel behind slice, concat, expand and permute:
//   out[dst_offset + Σ c_d·dst_strides[d]] = src[src_offset + Σ c_d·src_strides[d]]
// for every coordinate c of `shape` (rank ≤ 8, innermost last). Values move as u32 bits, so the
// copy is exact for every float (−0, ±inf, NaN). A stride of 0 broadcasts (expand).

override WG: u32 = 256u;

struct Params {
  count: u32,
  rank: u32,
  src_offset: u32,
  dst_offset: u32,
  shape: array<vec4<u32>, 2>,
  src_strides: array<vec4<u32>, 2>,
  dst_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= params.count) {
    return;
  }
  var rest = i;
  var s = params.src_offset;
  var d = params.dst_offset;
  for (var axis = params.rank; axis > 0u; axis--) {
    let q = (axis - 1u) / 4u;
    let c = (axis - 1u) % 4u;
    let extent = params.shape[q][c];
    let coord = rest % extent;
    rest /= extent;
    s += coord * params.src_strides[q][c];
    d += coord * params.dst_strides[q][c];
  }
  out[d] = src[s];
}
