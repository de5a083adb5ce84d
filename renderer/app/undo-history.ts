/**
 * Undo/redo for edited values (the prompts, the notebook document): past and future states
 * around the present one. Quick successive edits (typing) can be merged into one step, so one
 * undo takes back a burst of typing rather than one character.
 */

export interface History<T> {
  readonly past: readonly T[];
  readonly present: T;
  readonly future: readonly T[];
  /** When the present was recorded (ms), for merging bursts. */
  readonly at: number;
}

/** Steps kept; older ones are dropped. */
export const HISTORY_LIMIT = 200;

export function startHistory<T>(present: T): History<T> {
  return { past: [], present, future: [], at: -Infinity };
}

/**
 * The history after an edit to `next` at time `now`. Within `mergeMs` of the previous edit the
 * present is replaced instead of pushed (0: every edit is a step). An edit clears the redo list.
 */
export function recordEdit<T>(h: History<T>, next: T, now: number, mergeMs = 0): History<T> {
  if (Object.is(next, h.present)) return h;
  if (h.past.length > 0 && h.future.length === 0 && now - h.at < mergeMs) return { ...h, present: next, at: now };
  return { past: [...h.past, h.present].slice(-HISTORY_LIMIT), present: next, future: [], at: now };
}

export function undoEdit<T>(h: History<T>): History<T> {
  if (h.past.length === 0) return h;
  return { past: h.past.slice(0, -1), present: h.past[h.past.length - 1], future: [h.present, ...h.future], at: -Infinity };
}

export function redoEdit<T>(h: History<T>): History<T> {
  if (h.future.length === 0) return h;
  return { past: [...h.past, h.present], present: h.future[0], future: h.future.slice(1), at: -Infinity };
}

/** The platform's undo/redo keys: Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y (⌘ on macOS). */
export function undoKey(e: { key: string; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }): 'undo' | 'redo' | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  const key = e.key.toLowerCase();
  if (key === 'z') return e.shiftKey ? 'redo' : 'undo';
  if (key === 'y' && !e.shiftKey) return 'redo';
  return null;
}
