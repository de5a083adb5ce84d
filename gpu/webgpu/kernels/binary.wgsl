// Elementwise binary ops with the interface's three broadcast forms:
//   SAME:   b.shape == a.shape                    b index = i
//   SUFFIX: b.shape is a suffix of a.shape        b index = i mod b_count (bias [d] on [.., d])
//   ROW:    b.shape == a.shape with last axis 1   b index = i / row      (per-row scale [.., 1])

override OP: u32 = 0u;        // 0 add, 1 sub, 2 mul, 3 div
override BROADCAST: u32 = 0u; // 0 SAME, 1 SUFFIX, 2 ROW
override WG: u32 = 256u;

struct Params {
  count: u32,
  b_count: u32, // SUFFIX: elements of b
  row: u32,     // ROW: length of a's last axis
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= params.count) {
    return;
  }
  var j = i;
  if (BROADCAST == 1u) {
    j = i % params.b_count;
  } else if (BROADCAST == 2u) {
    j = i / params.row;
  }
  let u = a[i];
  let v = b[j];
  switch OP {
    case 0u: { out[i] = u + v; }
    case 1u: { out[i] = u - v; }
    case 2u: { out[i] = u * v; }
    default: { out[i] = u / v; }
  }
}
