/** The ObsProp view's card for the picked head shows each decoded token beside its value from the result. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ObsPropJson } from '../../../analysis/registry/obsprop.ts';
import { HeadFeatureCard } from './HeadFeatureCard.tsx';

const token = (id: number, text: string, value: number) => ({ id, token: text, value });
const picked = { top: [token(5, ' he', 2.5), token(9, ' him', 1.25)], bottom: [token(3, ' she', -3.125), token(4, ' her', -0.5)] };
const other = { top: [token(6, ' it', 0.75)], bottom: [token(8, ' they', -0.25)] };
const entry = (head: string, norm: number, decoded: typeof picked) => ({
  head,
  norm,
  effect: null,
  promotes: decoded.top.map((t) => t.token),
  suppresses: decoded.bottom.map((t) => t.token),
  decoded,
});
// Only the ranking is read by the card.
const result = { ranking: [entry('L1H0', 2, picked), entry('L0H1', 1, other)] } as unknown as ObsPropJson;

/** [token, value] pairs in the order the card lists them. */
function rows(html: string): [string, string][] {
  return [...html.matchAll(/token-value-text"[^>]*>([^<]*)<.*?token-value-number">([^<]*)</g)].map((m) => [m[1], m[2]]);
}

describe('HeadFeatureCard', () => {
  it("lists the picked head's promoted then suppressed tokens, each beside its value", () => {
    const html = renderToStaticMarkup(createElement(HeadFeatureCard, { result, head: 'L1H0' }));
    expect(html).toContain('Feature of L1H0 decoded');
    expect(rows(html).map(([, v]) => v)).toEqual(['2.500', '1.250', '-3.125', '-0.500']);
    expect(rows(html).map(([t]) => t)).toEqual([expect.stringContaining('he'), expect.stringContaining('him'), expect.stringContaining('she'), expect.stringContaining('her')]);
  });

  it('shows another head when that one is picked, and nothing for a head not in the ranking', () => {
    expect(rows(renderToStaticMarkup(createElement(HeadFeatureCard, { result, head: 'L0H1' }))).map(([, v]) => v)).toEqual(['0.750', '-0.250']);
    expect(renderToStaticMarkup(createElement(HeadFeatureCard, { result, head: 'L9H9' }))).toBe('');
  });
});
