/**
 * How a token's text is shown wherever people read it: token strips, figure axes, cell labels,
 * hover text, CSV-free exports and CLI images. Two steps, kept apart because React escapes
 * markup itself while Plotly does not:
 *
 * - `visibleToken`: spaces, newlines and tabs made visible (a leading space is meaningful:
 *   " the" and "the" are different tokens), other control characters escaped, "" shown as ∅.
 * - `plotlyText`: Plotly reads a small HTML subset in every label, title and cell (`<b>`,
 *   `<br>`, `<s>` = strikethrough …), so "<s>", "</s>" and "<|endoftext|>" would vanish or
 *   restyle the rest of the label; they are entity-escaped.
 *
 * `tokenLabel` is both, for any token text that goes into a figure. notebooks/figures/plotly.ts
 * escapes every notebook label, title and cell with the same `plotlyText`.
 */

export function visibleToken(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === ' ') out += '·';
    else if (ch === '\n') out += '↵';
    else if (ch === '\t') out += '⇥';
    else if (ch === '\r') out += '␍';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out === '' ? '∅' : out;
}

/** Shortened for tight places (axis ticks): at most `max` characters with an ellipsis. */
export function shortVisibleToken(text: string, max = 10): string {
  const shown = visibleToken(text);
  const chars = [...shown];
  return chars.length <= max ? shown : `${chars.slice(0, max - 1).join('')}…`;
}

const CONTROL_OR_LONE_SURROGATE = /[\u0000-\u001f\u007f]|\p{Cs}/gu;

function controlEscape(ch: string): string {
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
}

/**
 * Text as Plotly must receive it to show it literally (labels, titles, cell text, hover): markup
 * entity-escaped, and control characters and lone surrogates (which break SVG exports) written
 * as escapes.
 */
export function plotlyText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(CONTROL_OR_LONE_SURROGATE, controlEscape);
}

/** A token's text for a figure: visible whitespace, escaped markup, optionally shortened. */
export function tokenLabel(text: string, max?: number): string {
  return plotlyText(max === undefined ? visibleToken(text) : shortVisibleToken(text, max));
}

/** A unique figure label per position ("3 ·the"), so categorical axes never merge tokens. */
export function positionTokenLabel(pos: number, text: string, max = 10): string {
  return `${pos} ${tokenLabel(text, max)}`;
}
