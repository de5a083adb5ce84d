/**
 * Shared pieces of step adapters: how params name prompts and tokens, and turning those names
 * into token ids with the step's model. Errors name the params field.
 */
import { z } from 'zod';
import type { Model } from '../model/model.ts';
import { tokenize } from '../model/run.ts';
import { resolveToken as resolveTokenSpec } from '../methods/obsprop-features.ts';
import type { MetricTokens } from '../methods/metric-defaults.ts';
import { metricTokens } from '../methods/metric-defaults.ts';
import type { MethodInputs, PromptRef, PromptSet } from './contract.ts';

/** An index into the prompts cell, or a prompt's label. */
export const PromptRefSchema = z.union([z.number().int().nonnegative(), z.string().min(1).max(100)]).meta({ input: 'prompt' });

/** A token id, or the text of exactly one token (e.g. " she"). */
export const TokenRefSchema = z.union([z.number().int().nonnegative(), z.string().min(1).max(100)]).meta({ input: 'token' });
export type TokenRef = z.infer<typeof TokenRefSchema>;

/** A position in the prompt; negative counts from the end (−1 = last). */
export const PositionSchema = z.number().int().min(-100_000).max(100_000);

/** The index of a referenced prompt, or a message saying why there is none. */
export function findPrompt(set: PromptSet, ref: PromptRef): number | string {
  if (typeof ref === 'number') {
    return ref < set.items.length ? ref : `prompt ${ref} does not exist: prompts cell "${set.cell}" has ${set.items.length} (0..${set.items.length - 1})`;
  }
  const i = set.items.findIndex((p) => p.label === ref);
  if (i >= 0) return i;
  const labels = set.items.map((p) => p.label).filter((l) => l !== undefined);
  return `no prompt labelled "${ref}" in prompts cell "${set.cell}"${labels.length ? ` (labels: ${labels.join(', ')})` : ''}`;
}

/** Token ids of a referenced prompt (text tokenized with the model; BOS per the prompts cell). */
export function promptIds(model: Model, ctx: MethodInputs, ref: PromptRef, field: string): number[] {
  const set = ctx.prompts;
  if (!set) throw new Error(`params.${field}: this step has no prompts cell to read`);
  const found = findPrompt(set, ref);
  if (typeof found === 'string') throw new Error(`params.${field}: ${found}`);
  const item = set.items[found];
  try {
    return tokenize(model, 'ids' in item ? { ids: item.ids } : { text: item.text }, set.prependBos)[0];
  } catch (e) {
    throw new Error(`params.${field} (prompt ${found}${item.label ? ` "${item.label}"` : ''}): ${(e as Error).message}`);
  }
}

/**
 * A token id from an id or the text of one token (" she": an exact vocabulary piece as the token
 * strip shows it, else text that encodes to exactly one token) — ObsProp's rule, shared so every
 * method reads token names the same way.
 */
export function resolveToken(model: Model, ref: TokenRef, field: string): number {
  return resolveTokenSpec(model, ref, `params.${field}`);
}

/** A token as results name it: its id and its text. */
export type TokenJson = { id: number; token: string };

export function tokenJson(model: Model, id: number): TokenJson {
  return { id, token: tokenStrings(model, [id])[0] };
}

/**
 * The metric's tokens from params (`answer`, `wrong`: ids or one-token texts), with the shared
 * defaults (metric-defaults.ts) for what is not given. `pos` is absolute.
 */
export async function metricTokensOf(model: Model, p: { answer?: TokenRef; wrong?: TokenRef }, clean: readonly number[], pos: number, corrupted?: readonly number[]): Promise<MetricTokens> {
  const chosen = {
    answer: p.answer === undefined ? undefined : resolveToken(model, p.answer, 'answer'),
    wrong: p.wrong === undefined ? undefined : resolveToken(model, p.wrong, 'wrong'),
  };
  return metricTokens(model, clean, pos, chosen, corrupted);
}

/** Readable token strings, or ids as text without a tokenizer. */
export function tokenStrings(model: Model, ids: readonly number[]): string[] {
  return ids.map((id) => (model.tokenizer ? model.tokenizer.tokenString(id) : String(id)));
}

/** JSON-safe number: NaN/±Infinity become null (JSON cannot hold them). */
export function num(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

export function numbers(xs: ArrayLike<number>): (number | null)[] {
  return Array.from(xs, num);
}
