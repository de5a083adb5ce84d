/**
 * Ordinal tasks for the successor score (METHODS.md, "Head scores"): numbers, number words,
 * days, months and letters, each item written with a leading space and usable only when that
 * is a single token of the model's own vocabulary. A task with any item that is not a single
 * token is skipped, and the output says which items were missing.
 */
import type { TextTokenizer } from '../model/model.ts';

export interface OrdinalTask {
  readonly name: string;
  /** Items in order, without the leading space. */
  readonly items: readonly string[];
}

const NUMBER_WORDS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const capitalize = (w: string) => w[0].toUpperCase() + w.slice(1);

export const ORDINAL_TASKS: readonly OrdinalTask[] = [
  { name: 'numbers', items: Array.from({ length: 20 }, (_, i) => String(i + 1)) },
  { name: 'number words', items: NUMBER_WORDS },
  { name: 'Number words', items: NUMBER_WORDS.map(capitalize) },
  { name: 'days', items: DAYS },
  { name: 'months', items: MONTHS },
  { name: 'letters', items: Array.from({ length: 26 }, (_, i) => String.fromCharCode(65 + i)) },
  { name: 'lowercase letters', items: Array.from({ length: 26 }, (_, i) => String.fromCharCode(97 + i)) },
];

export interface ResolvedTask {
  readonly name: string;
  readonly items: readonly string[];
  /** Token id of " item" for each item; empty when the task is skipped. */
  readonly ids: readonly number[];
  /** Items whose " item" is not a single token (the task is skipped when any is). */
  readonly missing: readonly string[];
}

/** Single-token lookup: the readable string of every id (first id wins for duplicates). */
export function tokenIndex(tokenizer: TextTokenizer, dVocab: number): Map<string, number> {
  const index = new Map<string, number>();
  for (let id = 0; id < dVocab; id++) {
    let text: string;
    try {
      text = tokenizer.tokenString(id);
    } catch {
      continue; // ids past the tokenizer's vocabulary (padded embedding rows)
    }
    if (!index.has(text)) index.set(text, id);
  }
  return index;
}

export function resolveTasks(index: ReadonlyMap<string, number>, tasks: readonly OrdinalTask[] = ORDINAL_TASKS): ResolvedTask[] {
  return tasks.map((task) => {
    const found = task.items.map((item) => index.get(` ${item}`));
    const missing = task.items.filter((_, i) => found[i] === undefined);
    return { name: task.name, items: task.items, ids: missing.length ? [] : (found as number[]), missing };
  });
}
