import { describe, expect, it } from 'vitest';
import { shortcutFor, stepView } from './shortcuts.ts';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }> = {}) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });

describe('keyboard shortcuts', () => {
  it('maps keys to actions', () => {
    expect(shortcutFor(key('Enter', { ctrlKey: true }), true)).toEqual({ kind: 'run' });
    expect(shortcutFor(key('Enter', { metaKey: true }), false)).toEqual({ kind: 'run' });
    expect(shortcutFor(key('Enter'), false)).toBeNull();
    expect(shortcutFor(key('Escape'), true)).toEqual({ kind: 'cancel' });
    expect(shortcutFor(key('ArrowDown', { altKey: true }), false)).toEqual({ kind: 'view', step: 1 });
    expect(shortcutFor(key('3', { altKey: true }), false)).toEqual({ kind: 'view-number', index: 2 });
    expect(shortcutFor(key('0', { altKey: true }), false)).toBeNull();
  });
  it('leaves "?" to text fields', () => {
    expect(shortcutFor(key('?', { shiftKey: true }), false)).toEqual({ kind: 'help' });
    expect(shortcutFor(key('?', { shiftKey: true }), true)).toBeNull();
  });
  it('steps through views with wrap-around', () => {
    expect(stepView(['a', 'b', 'c'], 'c', 1)).toBe('a');
    expect(stepView(['a', 'b', 'c'], 'a', -1)).toBe('c');
    expect(stepView(['a', 'b', 'c'], 'b', 1)).toBe('c');
  });
});
