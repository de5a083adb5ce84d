/**
 * Per-layer transcoders for the attribution graph from loaded dictionaries (SAELens
 * `transcoder` / `jumprelu_transcoder`, circuit-tracer transcoder sets), with the activation
 * functions of analysis/dictionaries/device.ts evaluated on the host.
 */
import { toFloat32 } from '../../../gpu/dtype.ts';
import type { CltLayer, CrossLayerTranscoder } from '../../dictionaries/circuit-tracer.ts';
import { cltLayers } from '../../dictionaries/circuit-tracer.ts';
import type { HostDictionary } from '../../dictionaries/dictionary.ts';
import type { GraphTranscoder } from './replacement.ts';

const MLP_OUT = /^blocks\.(\d+)\.hook_mlp_out$/;

const relu = (pre: Float32Array) => pre.map((v) => (v > 0 ? v : 0));
/** JumpReLU as analysis/dictionaries/device.ts: relu(pre) where pre > threshold, else 0. */
const jumpRelu = (threshold: Float32Array) => (pre: Float32Array) => pre.map((v, f) => (v - threshold[f] > 0 && v > 0 ? v : 0));

/** k largest entries kept (ties to the lower index), the rest 0, then ReLU: keepTopK + relu. */
function topK(pre: Float32Array, k: number): Float32Array {
  const order = Array.from(pre.keys()).sort((a, b) => pre[b] - pre[a] || a - b);
  const out = new Float32Array(pre.length);
  for (const i of order.slice(0, k)) out[i] = Math.max(pre[i], 0);
  return out;
}

export function graphTranscoder(dict: HostDictionary): GraphTranscoder {
  const { config, weights } = dict;
  const where = `${config.label} (${config.architecture})`;
  if (config.kind !== 'transcoder') throw new Error(`${where}: an attribution graph needs transcoders (MLP in → MLP out), not an SAE on ${config.hookIn}`);
  const m = MLP_OUT.exec(config.hookOut);
  if (!m) throw new Error(`${where}: writes ${config.hookOut}; an attribution graph replaces MLPs, so it must write blocks.L.hook_mlp_out`);
  if (config.normalization !== 'none') throw new Error(`${where}: normalize_activations ${config.normalization} is not linear in the input; attribution graphs need 'none'`);
  if (weights.skip) throw new Error(`${where}: skip transcoders (affine skip connection) are not supported by attribution graphs yet`);
  if (config.headIndex !== null) throw new Error(`${where}: reads one head (hook_head_index ${config.headIndex}); attribution graphs need the whole MLP input`);
  const layer = Number(m[1]);
  const wEnc = toFloat32(weights.encoder);
  const bDec = toFloat32(weights.bDec);
  let bEnc = Float32Array.from(toFloat32(weights.bEnc));
  if (config.applyBDecToInput) {
    // W_enc·(x − b_dec) + b_enc = W_enc·x + (b_enc − W_enc·b_dec): fold into the encoder bias.
    if (config.dIn !== config.dOut) throw new Error(`${where}: apply_b_dec_to_input with d_in ${config.dIn} ≠ d_out ${config.dOut}`);
    bEnc = bEnc.map((b, f) => {
      let s = 0;
      for (let i = 0; i < config.dIn; i++) s += wEnc[f * config.dIn + i] * bDec[i];
      return b - s;
    });
  }
  const threshold = weights.threshold ? toFloat32(weights.threshold) : null;
  const activate = ((): GraphTranscoder['activate'] => {
    switch (config.activation) {
      case 'relu':
        return relu;
      case 'topk':
        return (pre) => topK(pre, config.k!);
      case 'jumprelu':
        return jumpRelu(threshold!);
      case 'gated':
        throw new Error(`${where}: gated dictionaries are not supported by attribution graphs`);
    }
  })();
  return {
    layer,
    inputHook: config.hookIn,
    dIn: config.dIn,
    dSae: config.dSae,
    wEnc,
    bEnc,
    decoders: [{ layer, rows: toFloat32(weights.decoder) }],
    bDec,
    activate,
  };
}

/**
 * A circuit-tracer cross-layer transcoder as graph transcoders: layer i's features read
 * blocks.i.{feature_input_hook} and write hook_mlp_out of layers i..L−1 (W_dec_i [d, L − i, d_model]).
 * Read through `cltLayers` (as the forward-pass splice reads it): layer i as a transcoder plus its
 * rows into later layers. Every decoder row is read, so the whole CLT is held on the host; a
 * host that keeps them between runs passes its own `load`.
 */
export async function graphTranscodersFromClt(clt: CrossLayerTranscoder, load: (clt: CrossLayerTranscoder) => Promise<CltLayer[]> = cltLayers): Promise<GraphTranscoder[]> {
  const where = `${clt.config.modelName ?? 'cross-layer transcoder'} (circuit-tracer)`;
  if (clt.config.featureOutputHook !== 'hook_mlp_out') {
    throw new Error(`${where}: writes ${clt.config.featureOutputHook}; an attribution graph replaces MLPs, so it must write hook_mlp_out`);
  }
  return (await load(clt)).map(({ dictionary, later }, i) => {
    if (dictionary.weights.skip) throw new Error(`${where}: layer ${i} has a skip connection (W_skip_${i}), which attribution graphs do not support yet`);
    const own = graphTranscoder(dictionary);
    return { ...own, decoders: [...own.decoders, ...later.map((dec) => ({ layer: dec.layer, rows: toFloat32(dec.rows) }))] };
  });
}
