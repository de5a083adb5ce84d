/**
 * How a token's text is shown in strips, tables and captions (React escapes markup itself):
 * the shared rule of analysis/formats/token-label.ts. Figures use `tokenLabel` from there,
 * which also escapes what Plotly would read as markup.
 */
import { shortVisibleToken, visibleToken } from '../../analysis/formats/token-label.ts';

export const displayToken = visibleToken;
export const shortToken = shortVisibleToken;

/** A unique label per position ("3 ·the") for text shown by React (figures: positionTokenLabel). */
export function positionLabel(pos: number, text: string, max = 10): string {
  return `${pos} ${shortToken(text, max)}`;
}
