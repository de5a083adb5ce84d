/**
 * `run(model, input, options)` → `{logits, loss, cache}`: one forward pass with captures,
 * interventions and callbacks. The public entry point of the engine.
 */
import type { Tensor } from '../../gpu/backend.ts';
import type { ActivationCache, HostActivation } from '../hooks/interventions.ts';
import type { HookOptions } from '../hooks/session.ts';
import { HookSession } from '../hooks/session.ts';
import { hookOptionsWithStanding } from '../hooks/standing.ts';
import type { LogitsSelection } from './forward.ts';
import { forward } from './forward.ts';
import { rowLosses } from './loss.ts';
import type { Model } from './model.ts';
import { tensorScope } from './scope.ts';
import { leftPad } from './tokens.ts';

export type ModelInput = { readonly ids: readonly number[] | readonly (readonly number[])[] } | { readonly text: string | readonly string[] };

export interface RunOptions extends HookOptions {
  /** Which logits to return (default 'all'). Loss needs 'all'. */
  readonly logits?: LogitsSelection;
  /** For text input: prepend BOS (default: the tokenizer's stated rule). Ignored for ids. */
  readonly prependBos?: boolean;
}

export interface RunResult {
  /** Token ids per row (unpadded). */
  readonly ids: number[][];
  /** Left padding per row (batch runs). */
  readonly padding: readonly number[];
  /** [batch, pos, vocab] ('all') or [batch, 1, vocab] ('last'); null for 'none'. */
  readonly logits: HostActivation | null;
  /** Mean next-token cross-entropy over all rows' real tokens; null without full logits. */
  readonly loss: number | null;
  readonly lossPerRow: readonly number[] | null;
  readonly cache: ActivationCache;
}

/** Token ids of the input, checked against the vocabulary and the context length. */
export function tokenize(model: Model, input: ModelInput, prependBos?: boolean): number[][] {
  let rows: number[][];
  if ('text' in input) {
    const tok = model.tokenizer;
    if (!tok) {
      throw new Error(`${model.label} has no tokenizer.json, so it cannot take text: give token ids instead (--ids 1,2,3)`);
    }
    const texts = typeof input.text === 'string' ? [input.text] : [...input.text];
    rows = texts.map((t) => tok.encode(t, { prependBos: prependBos ?? tok.defaultPrependBos }));
  } else {
    const ids = input.ids;
    rows = ids.length > 0 && Array.isArray(ids[0]) ? (ids as readonly (readonly number[])[]).map((r) => [...r]) : [[...(ids as readonly number[])]];
  }
  const { dVocab, nCtx } = model.spec;
  rows.forEach((row, r) => {
    if (row.length === 0) throw new Error(`input ${r} has no tokens`);
    if (row.length > nCtx) throw new Error(`input ${r} is ${row.length} tokens long, but ${model.label} has a context of ${nCtx} tokens`);
    row.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= dVocab) {
        throw new Error(`input ${r}, position ${i}: token id ${id} is outside the vocabulary [0, ${dVocab})`);
      }
    });
  });
  return rows;
}

export async function run(model: Model, input: ModelInput, options: RunOptions = {}): Promise<RunResult> {
  const rows = tokenize(model, input, options.prependBos);
  const tokens = leftPad(rows);
  const scope = tensorScope(model.backend);
  try {
    const hooks = new HookSession(scope.backend, model.hookPoints, hookOptionsWithStanding(model, options));
    const logitsMode = options.logits ?? 'all';
    const out = await forward({ ...model, backend: scope.backend }, { tokens, hooks, logits: logitsMode });
    const captured = hooks.capturedTensors();
    const names = [...captured.keys()];
    const tensors: Tensor[] = names.map((n) => captured.get(n)!);
    // The loss's log-sum-exp per position on the backend where it offers one (else on the host).
    const lse = out.logits && logitsMode === 'all' ? scope.backend.logSumExp?.(out.logits) : undefined;
    const head = lse ? [out.logits!, lse] : out.logits ? [out.logits] : [];
    const data = await model.backend.read([...head, ...tensors]);
    const logits = out.logits ? { shape: [...out.logits.shape], data: data[0] } : null;
    const cache = HookSession.toCache(names, tensors, data.slice(head.length));
    let loss: number | null = null;
    let lossPerRow: number[] | null = null;
    if (logits && logitsMode === 'all') {
      lossPerRow = rowLosses(logits.data, tokens.ids, tokens.valid, tokens.batch, tokens.pos, model.spec.dVocab, lse ? data[1] : undefined);
      const counts = rows.map((r) => Math.max(0, r.length - 1));
      const total = counts.reduce((a, c) => a + c, 0);
      loss = total > 0 ? lossPerRow.reduce((a, l, i) => a + (counts[i] > 0 ? l * counts[i] : 0), 0) / total : null;
    }
    return { ids: rows, padding: tokens.padding, logits, loss, lossPerRow, cache };
  } finally {
    scope.release();
  }
}
