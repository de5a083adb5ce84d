/**
 * How each nonlinearity is treated by the backward pass and by the linearised forward passes,
 * plus the small tensor helpers both share (all in Backend ops, so they run on every backend).
 *
 *   live    the op is differentiated (norm scale's dependence on x, softmax, act'(z))
 *   frozen  the op's action recorded at x0 is kept fixed (norm divides by the recorded scale,
 *           attention uses the recorded pattern); `secant` gains use g = act(z0)/z0 (gated MLPs:
 *           the recorded gate act(gate0)), which makes the replay exact at x0.
 */
import type { Backend, Tensor, UnaryKind } from '../../gpu/backend.ts';

export interface Linearisation {
  readonly norms: 'live' | 'frozen';
  readonly attention: 'live' | 'frozen';
  readonly gains: 'live' | 'secant';
  /**
   * 'cut': the backward pass records the gradient at each hook_mlp_out (the MLP's residual write)
   * and sends nothing into the MLP — its output is a sum of source nodes (transcoder features and
   * an error term) in an attribution graph's replacement model. Default 'through'.
   */
  readonly mlp?: 'through' | 'cut';
}

/** The real network: everything differentiated (true gradients, the tangent map). */
export const LIVE: Linearisation = { norms: 'live', attention: 'live', gains: 'live' };
/** LinearScope's secant replay: every nonlinearity's action frozen at x0. */
export const FROZEN: Linearisation = { norms: 'frozen', attention: 'frozen', gains: 'secant' };

/** act(z)/z → its limit at z = 0 (the value there never matters: it multiplies z = 0). */
const GAIN_AT_ZERO: Record<string, number> = { gelu_tanh: 0.5, gelu_erf: 0.5, silu: 0.5, relu: 0 };

/** Secant gain g = act(z)/z elementwise, with the limit at z = 0 (0/0 would be NaN). */
export function secantGain(b: Backend, z: Tensor, act: UnaryKind): Tensor {
  const limit = GAIN_AT_ZERO[act];
  if (limit === undefined) throw new Error(`no secant gain for activation ${act}`);
  return b.select(z, b.div(b.unary(z, act), z), b.fill(z.shape, limit));
}

/** Gemma-2's final softcap frozen at x0: c·tanh(z0/c)/z0 per entry (→ 1 at z0 = 0) for pre-cap logits z0. */
export function softcapSecantGain(b: Backend, z0: Tensor, cap: number): Tensor {
  return b.select(z0, b.div(b.scale(b.unary(b.scale(z0, 1 / cap), 'tanh'), cap), z0), b.fill(z0.shape, 1));
}

/**
 * Sums query heads into their kv head: x [batch, pos, head, dHead] → [batch, pos, kvHead, dHead].
 * Query head h reads kv head ⌊h / group⌋, so the heads of a group are contiguous.
 */
export function groupSum(b: Backend, x: Tensor, kvHeads: number): Tensor {
  const [batch, pos, heads, dHead] = x.shape;
  if (heads === kvHeads) return x;
  const grouped = b.reshape(x, [batch, pos, kvHeads, heads / kvHeads, dHead]);
  return b.reshape(b.sum(grouped, 3), [batch, pos, kvHeads, dHead]);
}

/** A batch-1 tape tensor broadcast to `rows` batch rows (returned as is when it already has them). */
export function rowsOf(b: Backend, t: Tensor, rows: number): Tensor {
  if (t.shape[0] === rows) return t;
  if (t.shape[0] !== 1) throw new Error(`internal: cannot broadcast batch ${t.shape[0]} to ${rows} rows`);
  return b.expand(t, [rows, ...t.shape.slice(1)]);
}

/** x − mean(x) over the last axis (LayerNorm's linear centring; self-adjoint). */
export function centre(b: Backend, x: Tensor): Tensor {
  return b.sub(x, b.mean(x, x.shape.length - 1));
}

/** All keys visible: attentionScores without −∞ entries (masked entries are killed by P = 0). */
export function allKeys(kvPos: number): { queryOffset: number } {
  return { queryOffset: kvPos };
}
