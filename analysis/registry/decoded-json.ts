/** A direction decoded through the LM head (analysis/methods/neurons.ts's DecodedDirection) as result JSON: tokens with their values. */
import type { DirectionToken } from '../methods/neurons.ts';
import { num } from './common.ts';

export type DecodedToken = { id: number; token: string; value: number | null };
export type DecodedJson = { top: DecodedToken[]; bottom: DecodedToken[] };

export function decodedJson(d: { readonly top: readonly DirectionToken[]; readonly bottom: readonly DirectionToken[] }): DecodedJson {
  const token = (t: DirectionToken): DecodedToken => ({ id: t.id, token: t.token ?? String(t.id), value: num(t.value) });
  return { top: d.top.map(token), bottom: d.bottom.map(token) };
}
