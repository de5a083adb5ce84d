import { describe, expect, it } from 'vitest';
import { displayToken, positionLabel, shortToken } from './token-display.ts';

describe('token display', () => {
  it('makes whitespace and control characters visible', () => {
    expect(displayToken(' the')).toBe('·the');
    expect(displayToken('a\nb\t')).toBe('a↵b⇥');
    expect(displayToken('\u0001')).toBe('\\x01');
    expect(displayToken('')).toBe('∅');
    expect(displayToken('<s>')).toBe('<s>');
  });
  it('shortens long tokens and labels positions uniquely', () => {
    expect(shortToken('abcdefghijkl', 5)).toBe('abcd…');
    expect(positionLabel(3, ' the')).toBe('3 ·the');
  });
});
