// Tree reductions over a workgroup's lanes, for the kernels that give one workgroup to a row
// (softmax, norm_scale, normalize). Prepended by their launchers; the kernel declares
// `override WG: u32` (a power of two) and `var<workgroup> scratch: array<f32, WG>`.
// Every lane gets the result; the last barrier lets the caller reuse `scratch` at once.

fn tree_sum(v: f32, lane: u32) -> f32 {
  scratch[lane] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lane < s) {
      scratch[lane] += scratch[lane + s];
    }
    workgroupBarrier();
  }
  let r = scratch[0];
  workgroupBarrier();
  return r;
}

fn tree_max(v: f32, lane: u32) -> f32 {
  scratch[lane] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lane < s) {
      scratch[lane] = max(scratch[lane], scratch[lane + s]);
    }
    workgroupBarrier();
  }
  let r = scratch[0];
  workgroupBarrier();
  return r;
}
