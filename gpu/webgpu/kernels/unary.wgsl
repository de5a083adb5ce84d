// Elementwise unary ops on f32: out[i] = f(x[i]), or f'(x[i]) with GRAD (the backward pass's
// act'(z)). One thread per element; op and direction are overrides, so each specialisation
// compiles to straight-line code.

override OP: u32 = 0u; // 0 gelu_tanh, 1 gelu_erf, 2 silu, 3 relu, 4 neg, 5 exp, 6 scale, 7 tanh
override GRAD: bool = false;
override WG: u32 = 256u;

struct Params {
  count: u32,
  factor: f32, // OP 6 only
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

// tanh_stable, erf, the constants and activation() come from math.wgsl (prepended).

fn forward(v: f32) -> f32 {
  switch OP {
    case 0u, 1u, 2u, 3u: { return activation(OP, v); }
    case 4u: { return -v; }
    case 5u: { return exp(v); }
    case 7u: { return tanh_stable(v); }
    default: { return v * params.factor; }
  }
}

fn derivative(v: f32) -> f32 {
  switch OP {
    case 0u: {
      let t = tanh_stable(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v));
      return 0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * SQRT_2_OVER_PI * (1.0 + 3.0 * 0.044715 * v * v);
    }
    case 1u: { return 0.5 * (1.0 + erf(v * INV_SQRT_2)) + v * exp(-0.5 * v * v) * INV_SQRT_2PI; }
    case 2u: {
      let s = 1.0 / (1.0 + exp(-v));
      return s * (1.0 + v * (1.0 - s));
    }
    case 3u: { return select(0.0, 1.0, v > 0.0); }
    case 4u: { return -1.0; }
    case 5u: { return exp(v); }
    case 7u: {
      let t = tanh_stable(v);
      return 1.0 - t * t;
    }
    default: { return params.factor; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i < params.count) {
    if (GRAD) {
      out[i] = derivative(x[i]);
    } else {
      out[i] = forward(x[i]);
    }
  }
}
