/** Prompts typed as token ids ("1, 2, 3"), for models that have no tokenizer.json. */
import type { TokenizeResult } from '../worker/contracts.ts';

export function idListError(text: string): string | null {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return 'Type token ids, e.g. 1, 2, 3 (this model has no tokenizer).';
  const bad = parts.find((p) => !/^\d+$/.test(p));
  return bad === undefined ? null : `"${bad}" is not a token id; this model has no tokenizer, so prompts are ids like 1, 2, 3.`;
}

export function parseIdList(text: string): TokenizeResult | null {
  if (idListError(text) !== null) return null;
  const ids = text.split(/[\s,]+/).filter(Boolean).map(Number);
  return { tokens: ids.map((id) => ({ id, text: `#${id}`, special: false })) };
}
