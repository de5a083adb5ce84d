/**
 * How a token's text is shown in strips, axes and tables: spaces, newlines and tabs made
 * visible (a leading space is meaningful: " the" and "the" are different tokens), other
 * control characters escaped.
 */
export function displayToken(text: string): string {
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
export function shortToken(text: string, max = 10): string {
  const shown = displayToken(text);
  const chars = [...shown];
  return chars.length <= max ? shown : `${chars.slice(0, max - 1).join('')}…`;
}

/** A unique axis label per position ("3 ·the"), so categorical axes never merge tokens. */
export function positionLabel(pos: number, text: string, max = 10): string {
  return `${pos} ${shortToken(text, max)}`;
}
