// AssemblyScript: the fast CPU backend's elementwise and attention kernels, f32 SIMD.
// Every transcendental is a polynomial in f32 with a relative error of a few ulp, far inside
// the 1e-4 the backend is held to against the float64 reference.

const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;

/** e^x for four lanes (Cephes expf): exact 0 below −87.3 (so −∞ gives 0), +∞ above 88.7. */
@inline
function exp4(x: v128): v128 {
  const xc = f32x4.min(f32x4.max(x, f32x4.splat(-87.3)), f32x4.splat(88.72));
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, f32x4.mul(r, r)), r), f32x4.splat(1));
  // 2^n in two halves so n = 128 (x near 88.7) does not overflow the exponent field.
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const half = i32x4.shr_s(ni, 1);
  const p1 = i32x4.shl(i32x4.add(half, i32x4.splat(127)), 23);
  const p2 = i32x4.shl(i32x4.add(i32x4.sub(ni, half), i32x4.splat(127)), 23);
  let out = f32x4.mul(f32x4.mul(y, p1), p2);
  out = v128.bitselect(f32x4.splat(0), out, f32x4.lt(x, f32x4.splat(-87.3)));
  return v128.bitselect(f32x4.splat(Infinity), out, f32x4.gt(x, f32x4.splat(88.72)));
}

/** x / (1 + e^(−t)): x·σ(t). */
@inline
function timesSigmoid(x: v128, t: v128): v128 {
  return f32x4.div(x, f32x4.add(f32x4.splat(1), exp4(f32x4.neg(t))));
}

/** erf (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7). */
@inline
function erf4(x: v128): v128 {
  const z = f32x4.abs(x);
  const t = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), f32x4.mul(z, f32x4.splat(0.3275911))));
  let p = f32x4.splat(1.061405429);
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.453152027));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.421413741));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.284496736));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.254829592));
  p = f32x4.mul(p, t);
  const e = f32x4.sub(f32x4.splat(1), f32x4.mul(p, exp4(f32x4.neg(f32x4.mul(z, z)))));
  // Copy x's sign onto erf(|x|).
  return v128.or(v128.and(e, i32x4.splat(0x7fffffff)), v128.and(x, i32x4.splat(0x80000000)));
}

// Unary kinds (mirrored in gpu/wasm/wasm-backend.ts): 0 gelu_tanh, 1 gelu_erf, 2 silu, 3 relu.
@inline
function unary4(kind: i32, x: v128): v128 {
  if (kind == 0) {
    // 0.5·x·(1 + tanh(u)) = x·σ(2u), u = √(2/π)(x + 0.044715x³).
    const u = f32x4.mul(f32x4.splat(0.7978845608028654), f32x4.add(x, f32x4.mul(f32x4.splat(0.044715), f32x4.mul(x, f32x4.mul(x, x)))));
    return timesSigmoid(x, f32x4.add(u, u));
  }
  if (kind == 1) return f32x4.mul(f32x4.mul(f32x4.splat(0.5), x), f32x4.add(f32x4.splat(1), erf4(f32x4.mul(x, f32x4.splat(0.7071067811865476)))));
  if (kind == 2) return timesSigmoid(x, x);
  return f32x4.pmax(f32x4.splat(0), x); // 0 < x ? x : 0, so NaN and −0 give 0 as x > 0 ? x : 0 does
}

function unaryRun(kind: i32, x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), unary4(kind, v128.load(x + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), f32x4.extract_lane(unary4(kind, f32x4.splat(load<f32>(x + (<usize>i << 2)))), 0));
}

/** y = act(x) elementwise for n values. */
export function unary(kind: i32, x: usize, y: usize, n: i32): void {
  // One specialised loop per kind.
  if (kind == 0) unaryRun(0, x, y, n);
  else if (kind == 1) unaryRun(1, x, y, n);
  else if (kind == 2) unaryRun(2, x, y, n);
  else unaryRun(3, x, y, n);
}

/** Row-wise softmax with max subtraction over n columns; a row that is all −∞ gives all 0. */
export function softmax(x: usize, y: usize, rows: i32, n: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>r * n << 2);
    const yr = y + (<usize>r * n << 2);
    let mv = f32x4.splat(-Infinity);
    let i = 0;
    for (; i + 4 <= n; i += 4) mv = f32x4.max(mv, v128.load(xr + (<usize>i << 2)));
    let top: f32 = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (; i < n; i++) top = max(top, load<f32>(xr + (<usize>i << 2)));
    if (top == -Infinity) {
      memory.fill(yr, 0, <usize>n << 2);
      continue;
    }
    const m4 = f32x4.splat(top);
    let s4 = f32x4.splat(0);
    i = 0;
    for (; i + 4 <= n; i += 4) {
      const e = exp4(f32x4.sub(v128.load(xr + (<usize>i << 2)), m4));
      v128.store(yr + (<usize>i << 2), e);
      s4 = f32x4.add(s4, e);
    }
    let s = f32x4.extract_lane(s4, 0) + f32x4.extract_lane(s4, 1) + f32x4.extract_lane(s4, 2) + f32x4.extract_lane(s4, 3);
    for (; i < n; i++) {
      const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(xr + (<usize>i << 2)) - top)), 0);
      store<f32>(yr + (<usize>i << 2), e);
      s += e;
    }
    const inv = f32x4.splat(1 / s);
    i = 0;
    for (; i + 4 <= n; i += 4) v128.store(yr + (<usize>i << 2), f32x4.mul(v128.load(yr + (<usize>i << 2)), inv));
    for (; i < n; i++) store<f32>(yr + (<usize>i << 2), load<f32>(yr + (<usize>i << 2)) / s);
  }
}

/**
 * Attention scores in place, s [batch, heads, pos, kvPos]: times `scale`, and −∞ where the key
 * is in the future (j > queryOffset + i), padding (keyValid[b·kvPos + j] = 0, `keyValid` 0 for
 * none), or outside a sliding window (j ≤ queryOffset + i − window, `window` 0 for none).
 */
export function scaleMask(s: usize, batch: i32, heads: i32, pos: i32, kvPos: i32, queryOffset: i32, scale: f32, keyValid: usize, window: i32): void {
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < pos; i++) {
        const row = s + (<usize>((b * heads + h) * pos + i) * kvPos << 2);
        const last = queryOffset + i;
        const first = window > 0 ? last - window + 1 : 0;
        for (let j = 0; j < kvPos; j++) {
          const p = row + (<usize>j << 2);
          const masked = j > last || j < first || (keyValid != 0 && load<u8>(keyValid + <usize>(b * kvPos + j)) == 0);
          store<f32>(p, masked ? -Infinity : load<f32>(p) * scale);
        }
      }
    }
  }
}

/**
 * LayerNorm (center 1) or RMSNorm (center 0) of each of `rows` rows of n values, in f32:
 * y = (x − μ) / √(mean((x − μ)²) + eps) · w (+ b), μ = 0 for RMSNorm; `b` 0 for none. y may be x.
 */
export function normRows(x: usize, y: usize, rows: i32, n: i32, center: i32, eps: f32, w: usize, b: usize): void {
  const n4 = n & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>r * n << 2);
    const yr = y + (<usize>r * n << 2);
    let mu: f32 = 0;
    if (center) {
      let s4 = f32x4.splat(0);
      for (let i = 0; i < n4; i += 4) s4 = f32x4.add(s4, v128.load(xr + (<usize>i << 2)));
      let s = f32x4.extract_lane(s4, 0) + f32x4.extract_lane(s4, 1) + f32x4.extract_lane(s4, 2) + f32x4.extract_lane(s4, 3);
      for (let i = n4; i < n; i++) s += load<f32>(xr + (<usize>i << 2));
      mu = s / <f32>n;
    }
    const m4 = f32x4.splat(mu);
    let q4 = f32x4.splat(0);
    for (let i = 0; i < n4; i += 4) {
      const v = f32x4.sub(v128.load(xr + (<usize>i << 2)), m4);
      q4 = f32x4.add(q4, f32x4.mul(v, v));
    }
    let q = f32x4.extract_lane(q4, 0) + f32x4.extract_lane(q4, 1) + f32x4.extract_lane(q4, 2) + f32x4.extract_lane(q4, 3);
    for (let i = n4; i < n; i++) {
      const v = load<f32>(xr + (<usize>i << 2)) - mu;
      q += v * v;
    }
    const inv: f32 = 1 / Mathf.sqrt(q / <f32>n + eps);
    const i4 = f32x4.splat(inv);
    for (let i = 0; i < n4; i += 4) {
      const o = <usize>i << 2;
      let v = f32x4.mul(f32x4.mul(f32x4.sub(v128.load(xr + o), m4), i4), v128.load(w + o));
      if (b != 0) v = f32x4.add(v, v128.load(b + o));
      v128.store(yr + o, v);
    }
    for (let i = n4; i < n; i++) {
      const o = <usize>i << 2;
      let v = (load<f32>(xr + o) - mu) * inv * load<f32>(w + o);
      if (b != 0) v += load<f32>(b + o);
      store<f32>(yr + o, v);
    }
  }
}

/** y[i] = y[i] + z[i] (op 0) or y[i] · z[i] (op 1) for n values. */
export function combineInto(op: i32, y: usize, z: usize, n: i32): void {
  let i = 0;
  if (op == 0) {
    for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), f32x4.add(v128.load(y + (<usize>i << 2)), v128.load(z + (<usize>i << 2))));
    for (; i < n; i++) store<f32>(y + (<usize>i << 2), load<f32>(y + (<usize>i << 2)) + load<f32>(z + (<usize>i << 2)));
  } else {
    for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), f32x4.mul(v128.load(y + (<usize>i << 2)), v128.load(z + (<usize>i << 2))));
    for (; i < n; i++) store<f32>(y + (<usize>i << 2), load<f32>(y + (<usize>i << 2)) * load<f32>(z + (<usize>i << 2)));
  }
}

/**
 * For each of `rows` rows of n values: y[2r] = max (NaN ignored, as `v > max` does) and
 * y[2r + 1] = Σ e^(x − max), the terms in f32 summed in f64 (0 for a row of −∞; NaN with a NaN
 * term or +∞). The host takes max + ln(sum): Math.log here would add static data to the module,
 * which every thread's instantiation would write into the shared memory.
 */
export function maxSumExpRows(x: usize, y: usize, rows: i32, n: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>r * n << 2);
    let mv = f32x4.splat(-Infinity);
    let i = 0;
    for (; i + 4 <= n; i += 4) mv = f32x4.pmax(mv, v128.load(xr + (<usize>i << 2)));
    let top: f32 = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (; i < n; i++) {
      const v = load<f32>(xr + (<usize>i << 2));
      if (v > top) top = v;
    }
    const yr = y + (<usize>r << 4);
    store<f64>(yr, <f64>top);
    if (top == -Infinity) {
      store<f64>(yr, 0, 8);
      continue;
    }
    const m4 = f32x4.splat(top);
    let lo = f64x2.splat(0);
    let hi = f64x2.splat(0);
    i = 0;
    for (; i + 4 <= n; i += 4) {
      const e = exp4(f32x4.sub(v128.load(xr + (<usize>i << 2)), m4));
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(e));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 0, 1)));
    }
    let s: f64 = f64x2.extract_lane(lo, 0) + f64x2.extract_lane(lo, 1) + f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1);
    for (; i < n; i++) s += <f64>f32x4.extract_lane(exp4(f32x4.splat(load<f32>(xr + (<usize>i << 2)) - top)), 0);
    store<f64>(yr, s, 8);
  }
}
