// Fills a tensor with one f32 bit pattern. WGSL has no inf literal (and a const-expression
// may not evaluate to inf), so the host passes the bits: -Infinity is 0xff800000.

override WG: u32 = 256u;

struct Params {
  count: u32,
  bits: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i < params.count) {
    out[i] = params.bits;
  }
}
