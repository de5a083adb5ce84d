// Shared WGSL math, prepended to the kernels that use it (unary, the GEMM epilogue): one
// definition of each activation, so a fused epilogue computes exactly what `unary` does.

// tanh without overflow: exp of a non-positive argument only. For small |u| the absolute
// error is ~1 ulp of 1, which gelu multiplies by 0.5·|x|.
fn tanh_stable(u: f32) -> f32 {
  let e = exp(-2.0 * abs(u));
  let t = (1.0 - e) / (1.0 + e);
  return select(t, -t, u < 0.0);
}

// erf with |error| < 7e-8 over all f32 inputs (evaluated in f32). Coefficients are our own
// minimax-style fits (iteratively reweighted least squares against a 30-digit reference):
//   |x| < 1:  erf(x) = x + x·P(x²),          P ≈ erf(x)/x − 1, degree 7
//   |x| < 4:  erf(x) = 1 − exp(−x²)·Q(1/|x|), Q ≈ erfcx(|x|),  degree 8
//   else:     ±1 (erfc(4) ≈ 1.5e-8 is below half an ulp of 1)
fn erf(v: f32) -> f32 {
  let a = abs(v);
  let t = a * a;
  var r: f32;
  if (a < 1.0) {
    let p = 0.12837916612625122 + t * (-0.37612637877464294 + t * (0.11283782869577408
      + t * (-0.02686544507741928 + t * (0.005221074912697077 + t * (-0.0008484710706397891
      + t * (0.00011270541290286928 + t * -9.680125913291704e-06))))));
    r = a + a * p;
  } else if (a < 4.0) {
    let s = 1.0 / a;
    let q = 0.00028098333859816194 + s * (0.5588638186454773 + s * (0.04325077682733536
      + s * (-0.4763259291648865 + s * (0.5074941515922546 + s * (-0.25652962923049927
      + s * (0.03605109825730324 + s * (0.02279999665915966 + s * -0.008301695808768272)))))));
    r = 1.0 - exp(-t) * q;
  } else {
    r = 1.0;
  }
  return select(r, -r, v < 0.0);
}

const SQRT_2_OVER_PI: f32 = 0.7978845608028654;
const INV_SQRT_2: f32 = 0.7071067811865476;
const INV_SQRT_2PI: f32 = 0.3989422804014327;

// The activations by unary.wgsl's OP code: 0 gelu_tanh, 1 gelu_erf, 2 silu, 3 relu.
fn activation(op: u32, v: f32) -> f32 {
  switch op {
    case 0u: { return 0.5 * v * (1.0 + tanh_stable(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))); }
    case 1u: { return 0.5 * v * (1.0 + erf(v * INV_SQRT_2)); }
    case 2u: { return v / (1.0 + exp(-v)); }
    default: { return max(v, 0.0); }
  }
}
