/**
 * The app's keyboard shortcuts: one table (shown by `?`) and the rule from a key event to an
 * action. Shortcuts that are plain characters (`?`) are ignored while typing in a field.
 */

export type ShortcutAction =
  | { readonly kind: 'run' }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'view'; readonly step: -1 | 1 }
  | { readonly kind: 'view-number'; readonly index: number }
  | { readonly kind: 'help' };

export interface ShortcutKey {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
  readonly shiftKey: boolean;
}

/** For the `?` list: keys as written, and what they do. */
export const SHORTCUTS: readonly { readonly keys: string; readonly does: string }[] = [
  { keys: 'Ctrl+Enter (⌘+Enter)', does: "Run the view's analysis" },
  { keys: 'Esc', does: 'Cancel the running analysis (or close this list)' },
  { keys: 'Alt+↓ / Alt+↑', does: 'Next / previous view' },
  { keys: 'Alt+1 … Alt+9', does: 'The first nine views, in sidebar order' },
  { keys: 'Ctrl+Z / Ctrl+Shift+Z', does: 'Undo / redo a prompt edit (in the prompt) or a notebook edit (in Notebooks, outside a text field)' },
  { keys: '?', does: 'This list' },
];

export function shortcutFor(e: ShortcutKey, typing: boolean): ShortcutAction | null {
  if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key === 'Enter') return { kind: 'run' };
  if (e.key === 'Escape' && !e.ctrlKey && !e.metaKey && !e.altKey) return { kind: 'cancel' };
  if (e.altKey && !e.ctrlKey && !e.metaKey) {
    if (e.key === 'ArrowDown') return { kind: 'view', step: 1 };
    if (e.key === 'ArrowUp') return { kind: 'view', step: -1 };
    if (/^[1-9]$/.test(e.key)) return { kind: 'view-number', index: Number(e.key) - 1 };
  }
  if (!typing && e.key === '?' && !e.ctrlKey && !e.metaKey && !e.altKey) return { kind: 'help' };
  return null;
}

/** Whether keys typed now go into a text field (then `?` is a character, not a shortcut). */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.tagName !== 'string') return false;
  const tag = el.tagName.toLowerCase();
  return tag === 'textarea' || tag === 'select' || (tag === 'input' && !['checkbox', 'radio', 'button', 'submit', 'range'].includes((el as HTMLInputElement).type)) || el.isContentEditable === true;
}

/** The view `step` places from `current` in `ids`, wrapping around. */
export function stepView(ids: readonly string[], current: string, step: number): string {
  const at = ids.indexOf(current);
  return ids[(((at < 0 ? 0 : at) + step) % ids.length + ids.length) % ids.length];
}
