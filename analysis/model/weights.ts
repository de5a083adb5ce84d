/**
 * Canonical weight layout shared by every architecture, so the forward pass has one code path.
 * Linear weights are [out, in] (PyTorch nn.Linear layout); GPT-2's Conv1D [in, out] weights and
 * NeoX's fused qkv are converted to this layout by the loader. Optional fields are absent when
 * the architecture has no such parameter (e.g. Llama has no biases).
 */

export interface NormWeights<T> {
  readonly w: T; // [dModel]
  readonly b?: T; // [dModel], LayerNorm only
}

export interface AttentionWeights<T> {
  readonly wQ: T; // [head·dHead, dModel]
  readonly bQ?: T; // [head·dHead]
  readonly wK: T; // [kvHead·dHead, dModel]
  readonly bK?: T;
  readonly wV: T; // [kvHead·dHead, dModel]
  readonly bV?: T;
  readonly wO: T; // [dModel, head·dHead]
  readonly bO?: T; // [dModel]
  /** RMSNorm of q / k before RoPE (Qwen3, Gemma-3: [dHead] per head; OLMo-2: [head·dHead] / [kvHead·dHead]). */
  readonly qNorm?: NormWeights<T>;
  readonly kNorm?: NormWeights<T>;
}

export interface MlpWeights<T> {
  /** up projection (W_in / up_proj / c_fc): [neuron, dModel] */
  readonly wIn: T;
  readonly bIn?: T; // [neuron]
  /** gate projection of gated MLPs (gate_proj): [neuron, dModel] */
  readonly wGate?: T;
  /** down projection (W_out / down_proj / c_proj): [dModel, neuron] */
  readonly wOut: T;
  readonly bOut?: T; // [dModel]
}

export interface BlockWeights<T> {
  /** Norm before attention; absent for post-norm blocks (OLMo-2). */
  readonly ln1?: NormWeights<T>;
  /** Norm before the MLP; absent for post-norm blocks (OLMo-2). */
  readonly ln2?: NormWeights<T>;
  /** Norm on the attention output before the residual add (Gemma, OLMo-2). */
  readonly ln1Post?: NormWeights<T>;
  /** Norm on the MLP output before the residual add (Gemma, OLMo-2). */
  readonly ln2Post?: NormWeights<T>;
  readonly attn: AttentionWeights<T>;
  readonly mlp: MlpWeights<T>;
}

export interface ModelWeights<T> {
  readonly embed: T; // W_E [vocab, dModel]
  readonly posEmbed?: T; // W_pos [nCtx, dModel], learned positions only
  readonly blocks: readonly BlockWeights<T>[];
  readonly lnFinal: NormWeights<T>;
  /** Unembedding stored as [vocab, dModel] (lm_head layout); the same object as `embed` when tied. */
  readonly unembed: T;
  readonly bUnembed?: T; // [vocab]
}

/** Applies `f` to every tensor, keeping the structure (used to upload host weights to a backend). */
export function mapWeights<A, B>(weights: ModelWeights<A>, f: (t: A) => B): ModelWeights<B> {
  const opt = (t: A | undefined): B | undefined => (t === undefined ? undefined : f(t));
  const norm = (n: NormWeights<A>): NormWeights<B> => ({ w: f(n.w), b: opt(n.b) });
  const optNorm = (n: NormWeights<A> | undefined): NormWeights<B> | undefined => (n === undefined ? undefined : norm(n));
  const embed = f(weights.embed);
  return {
    embed,
    posEmbed: opt(weights.posEmbed),
    blocks: weights.blocks.map((blk) => ({
      ln1: optNorm(blk.ln1),
      ln2: optNorm(blk.ln2),
      ln1Post: optNorm(blk.ln1Post),
      ln2Post: optNorm(blk.ln2Post),
      attn: {
        wQ: f(blk.attn.wQ), bQ: opt(blk.attn.bQ),
        wK: f(blk.attn.wK), bK: opt(blk.attn.bK),
        wV: f(blk.attn.wV), bV: opt(blk.attn.bV),
        wO: f(blk.attn.wO), bO: opt(blk.attn.bO),
        qNorm: optNorm(blk.attn.qNorm), kNorm: optNorm(blk.attn.kNorm),
      },
      mlp: {
        wIn: f(blk.mlp.wIn), bIn: opt(blk.mlp.bIn), wGate: opt(blk.mlp.wGate),
        wOut: f(blk.mlp.wOut), bOut: opt(blk.mlp.bOut),
      },
    })),
    lnFinal: norm(weights.lnFinal),
    unembed: weights.unembed === weights.embed ? embed : f(weights.unembed),
    bUnembed: opt(weights.bUnembed),
  };
}

/** A block's pre-norm, for code that needs one; post-norm blocks (OLMo-2) have none. */
export function preNorm<T>(blk: BlockWeights<T>, which: 1 | 2, layer: number): NormWeights<T> {
  const n = which === 1 ? blk.ln1 : blk.ln2;
  if (!n) throw new Error(`layer ${layer} has no ln${which} (a post-norm block: its norms are ln${which}_post, after the sublayer)`);
  return n;
}
