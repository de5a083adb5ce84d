// The GEMM epilogue, shared by matmul.wgsl (whole-K GEMMs) and gemm_reduce.wgsl (split-K sums),
// prepended after math.wgsl. The including kernel declares `params` (with alpha, bias_offset,
// query_offset, key_len, neg_inf) and the bindings `bias`, `extra` (u32 words) and `c`.
//
// Order, each step optional: v = acc · alpha; v += bias[col]; v = act(v); then EXTRA:
//   1 attention mask: −∞ where the key is causally later or padding (extra = key validity)
//   2 residual:       v += extra[at]   (the block's residual stream, same layout as C)
//   3 multiply:       v *= extra[at]   (gated MLPs: (x·W_up + b) ⊙ act(gate))
//   4 accumulate:     v += c[at]       (a product summed over parts of K)
// Each step is the same f32 operation the separate kernels perform (bias add, unary, binary add
// or mul), in the same order, so a fused result equals the unfused one up to the compiler's
// freedom to contract a·b + c into one fma.

override HAS_BIAS: bool = false;
override ACT: u32 = 0u; // 0 none, else activation(ACT − 1) (math.wgsl: gelu_tanh, gelu_erf, silu, relu)
override EXTRA: u32 = 0u;
override KEY_VALID: bool = false; // EXTRA 1: a padding mask is bound

fn finish(acc: f32, row: u32, col: u32, at: u32, outer: u32) -> f32 {
  var v = acc * params.alpha;
  if (HAS_BIAS) {
    v += bias[params.bias_offset + col];
  }
  if (ACT != 0u) {
    v = activation(ACT - 1u, v);
  }
  if (EXTRA == 1u) {
    let causal = col > params.query_offset + row;
    let padding = KEY_VALID && extra[outer * params.key_len + col] == 0u;
    v = select(v, params.neg_inf, causal || padding);
  } else if (EXTRA == 2u) {
    v += bitcast<f32>(extra[at]);
  } else if (EXTRA == 3u) {
    v *= bitcast<f32>(extra[at]);
  } else if (EXTRA == 4u) {
    v += c[at];
  }
  return v;
}
