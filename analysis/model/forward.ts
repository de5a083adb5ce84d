/**
 * The forward pass over a token batch, optionally continuing from a KV cache. Everything
 * observable goes through the hook session; this file only wires blocks together.
 */
import type { Backend, Tensor } from '../../gpu/backend.ts';
import type { HookSession } from '../hooks/session.ts';
import { hook } from '../hooks/points.ts';
import type { LayerKv } from './attention.ts';
import { block } from './block.ts';
import type { ForwardContext } from './context.ts';
import { canFuseLinear, project, rowNorm, unobserved } from './fusion.ts';
import { applyNorm } from './norm.ts';
import type { ModelSpec } from './spec.ts';
import type { TokenBatch } from './tokens.ts';
import type { ModelWeights } from './weights.ts';

export interface ModelCore {
  readonly spec: ModelSpec;
  readonly backend: Backend;
  readonly weights: ModelWeights<Tensor>;
}

/** Keys/values of every layer for the positions seen so far. */
export interface KvState {
  readonly layers: readonly LayerKv[];
  /** [batch, length]: 1 real, 0 padding. */
  readonly valid: Uint8Array;
  readonly length: number;
  /** Next position id of each row. */
  readonly nextPosition: Int32Array;
}

export type LogitsSelection = 'all' | 'last' | 'none';

export interface ForwardRequest {
  readonly tokens: TokenBatch;
  readonly hooks: HookSession;
  readonly logits: LogitsSelection;
  readonly past?: KvState;
  /** Keep keys/values for continuing (generation). */
  readonly keepKv?: boolean;
  /**
   * With keepKv: sliding-window layers keep only the keys a later query can still see (the
   * window bounds the cache). Their captured scores/patterns then cover only the kept keys.
   */
  readonly trimKv?: boolean;
  /**
   * Start inside the network: `resid` [batch, pos, dModel] is blocks.{layer}.hook_resid_pre and
   * the embeddings and earlier blocks are skipped (patching sweeps reuse what does not change).
   * `past`, if given, needs entries only for layers ≥ `layer`.
   */
  readonly start?: { readonly layer: number; readonly resid: Tensor };
}

export interface ForwardOutput {
  /** [batch, pos or 1, vocab], null for logits 'none'. */
  readonly logits: Tensor | null;
  readonly kv: KvState | null;
}

function joinValid(past: KvState | undefined, tokens: TokenBatch): Uint8Array {
  if (!past) return tokens.valid;
  const len = past.length + tokens.pos;
  const out = new Uint8Array(tokens.batch * len);
  for (let b = 0; b < tokens.batch; b++) {
    out.set(past.valid.subarray(b * past.length, (b + 1) * past.length), b * len);
    out.set(tokens.valid.subarray(b * tokens.pos, (b + 1) * tokens.pos), b * len + past.length);
  }
  return out;
}

export function forwardContext(model: ModelCore, tokens: TokenBatch, hooks: HookSession, past?: KvState): ForwardContext {
  const posOffset = past?.length ?? 0;
  const kvPos = posOffset + tokens.pos;
  const keyValid = joinValid(past, tokens);
  // Means over positions must skip left padding; unpadded calls (the usual case) pay nothing.
  const padding = tokens.valid.includes(0) ? tokens.valid : undefined;
  const site = { posOffset, padding };
  const attnSite = {
    posOffset,
    padding,
    attends: (b: number, i: number, j: number) => j <= posOffset + i && keyValid[b * kvPos + j] === 1,
  };
  return {
    backend: model.backend,
    spec: model.spec,
    hooks,
    batch: tokens.batch,
    pos: tokens.pos,
    kvPos,
    posOffset,
    positions: tokens.positions,
    keyValid,
    site,
    attnSite,
  };
}

export async function forward(model: ModelCore, req: ForwardRequest): Promise<ForwardOutput> {
  const { spec, weights, backend: b } = model;
  const { tokens, hooks, past } = req;
  if (past && past.layers.length !== spec.nLayers) throw new Error('KV cache does not match the model');
  const lastPosition = Math.max(...Array.from(tokens.positions));
  if (lastPosition >= spec.nCtx) {
    throw new Error(`sequence needs position ${lastPosition}, but the model's context is ${spec.nCtx} tokens`);
  }
  const ctx = forwardContext(model, tokens, hooks, past);
  const shape = [tokens.batch, tokens.pos, spec.dModel];
  const startLayer = req.start?.layer ?? 0;
  let resid: Tensor;
  if (req.start) {
    if (req.start.resid.shape.join() !== shape.join()) {
      throw new Error(`start residual has shape [${req.start.resid.shape}], expected [${shape}]`);
    }
    resid = req.start.resid;
  } else {
    const rows = b.reshape(b.gather(weights.embed, tokens.ids), shape);
    resid = await hooks.at(hook.embed, spec.embedScale === undefined ? rows : b.scale(rows, spec.embedScale), ctx.site);
    if (spec.positional === 'learned') {
      if (!weights.posEmbed) throw new Error('learned positions without a position-embedding matrix');
      const posEmbed = await hooks.at(hook.posEmbed, b.reshape(b.gather(weights.posEmbed, tokens.positions), shape), ctx.site);
      resid = b.add(resid, posEmbed);
    }
    b.stage?.('embed');
  }
  const kvLayers: LayerKv[] = [];
  for (let l = startLayer; l < spec.nLayers; l++) {
    const out = await block(ctx, l, resid, weights.blocks[l], past?.layers[l], req.keepKv === true && req.trimKv === true);
    b.stage?.(`block ${l}`);
    resid = out.resid;
    kvLayers.push(out.kv);
  }
  const lnFinal = { scale: hook.lnFinalScale, normalized: hook.lnFinalNormalized };
  let logits: Tensor | null = null;
  if (req.logits !== 'none' && canFuseLinear(ctx) && unobserved(ctx, lnFinal.scale, lnFinal.normalized)) {
    // The final norm fused into the unembedding (it is per row, so slicing first is the same).
    const rows = req.logits === 'last' ? b.slice(resid, 1, tokens.pos - 1, tokens.pos) : resid;
    logits = softcapLogits(model, project(ctx, { x: rows, norm: rowNorm(ctx, weights.lnFinal) }, weights.unembed, weights.bUnembed));
  } else if (req.logits !== 'none' || hooks.wants(hook.lnFinalScale) || hooks.wants(hook.lnFinalNormalized)) {
    let normed = await applyNorm(ctx, resid, weights.lnFinal, lnFinal);
    if (req.logits === 'last') normed = b.slice(normed, 1, tokens.pos - 1, tokens.pos);
    if (req.logits !== 'none') logits = softcapLogits(model, b.linear(normed, weights.unembed, weights.bUnembed));
  }
  const kv: KvState | null = req.keepKv && startLayer === 0
    ? {
        layers: kvLayers,
        valid: ctx.keyValid,
        length: ctx.kvPos,
        nextPosition: Int32Array.from({ length: tokens.batch }, (_, row) => tokens.positions[row * tokens.pos + tokens.pos - 1] + 1),
      }
    : null;
  b.stage?.('logits');
  return { logits, kv };
}

/** Gemma-2's final_logit_softcapping: c·tanh(z/c); the logits as they are otherwise. */
export function softcapLogits(model: Pick<ModelCore, 'spec' | 'backend'>, z: Tensor): Tensor {
  const c = model.spec.finalSoftcap;
  const b = model.backend;
  return c === undefined ? z : b.scale(b.unary(b.scale(z, 1 / c), 'tanh'), c);
}
