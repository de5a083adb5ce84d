import { describe, expect, it } from 'vitest';
import { plotlyText, positionTokenLabel, shortVisibleToken, tokenLabel, visibleToken } from './token-label.ts';

describe('token labels', () => {
  it('make whitespace and control characters visible', () => {
    expect(visibleToken(' the')).toBe('·the');
    expect(visibleToken('a\nb\t\r')).toBe('a↵b⇥␍');
    expect(visibleToken('\u0001\u007f')).toBe('\\x01\\x7f');
    expect(visibleToken('')).toBe('∅');
    expect(shortVisibleToken('abcdefghijkl', 5)).toBe('abcd…');
  });

  it('escape the markup Plotly would read, so special tokens show as written', () => {
    expect(plotlyText('<s>')).toBe('&lt;s&gt;');
    expect(tokenLabel('</s>')).toBe('&lt;/s&gt;');
    expect(tokenLabel('<|endoftext|>')).toBe('&lt;|endoftext|&gt;');
    expect(tokenLabel('a&b')).toBe('a&amp;b');
    expect(tokenLabel(' <br>')).toBe('·&lt;br&gt;');
    expect(positionTokenLabel(0, '<s>')).toBe('0 &lt;s&gt;');
    expect(positionTokenLabel(3, ' the')).toBe('3 ·the');
  });

  it('leave no raw tag in any label of a token list', () => {
    const specials = ['<s>', '</s>', '<|endoftext|>', '<unk>', '<0x0A>', '<b>x</b>'];
    for (const t of specials) expect(tokenLabel(t)).not.toMatch(/[<>]/);
  });
});
