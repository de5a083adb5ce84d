// out = mask != 0 ? a : b, bit-exact. Everything is moved as u32 bit patterns, so -0, ±inf
// and NaN payloads survive; the mask test is on bits too (WGSL float compares may assume no
// NaN): any bit set outside the sign means non-zero, so ±0 → b and NaN → a, as in JavaScript.

override WG: u32 = 256u;

struct Params {
  count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> mask: array<u32>;
@group(0) @binding(2) var<storage, read> a: array<u32>;
@group(0) @binding(3) var<storage, read> b: array<u32>;
@group(0) @binding(4) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i < params.count) {
    out[i] = select(b[i], a[i], (mask[i] & 0x7fffffffu) != 0u);
  }
}
