/**
 * Refuses regular expressions that can backtrack catastrophically before a file's regex is
 * compiled. JavaScript's RegExp engine backtracks, and a pattern such as `(a|aa)+$` or `(a+)+$`
 * takes time exponential in the input length (over a minute on 41 characters); a synchronous
 * regex cannot be interrupted, so such a pattern is stopped here, by its shape.
 *
 * The rule (star height with ambiguity): a group repeated without bound (`*`, `+`, `{n,}`,
 * `{n,m}` with m ≥ 2) may not itself contain an alternation or another repeated element. That
 * refuses every classic exponential pattern; the pre-tokenizer and normalizer patterns of real
 * tokenizers (GPT-2, Llama 3, Qwen2, …) repeat only single characters and classes, and pass.
 */

interface GroupFrame {
  /** The group's body holds an alternation `|` (directly or in a nested group). */
  alternation: boolean;
  /** The group's body holds a repeated element (directly or in a nested group). */
  repetition: boolean;
}

/** The quantifier at `at`, if any: its length and whether it repeats (allows 2 or more). */
function quantifierAt(pattern: string, at: number): { length: number; repeats: boolean } | null {
  const c = pattern[at];
  let length: number;
  let repeats: boolean;
  if (c === '*' || c === '+') {
    length = 1;
    repeats = true;
  } else if (c === '?') {
    length = 1;
    repeats = false;
  } else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(at));
    if (m === null) return null;
    length = m[0].length;
    const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
    repeats = max >= 2;
  } else {
    return null;
  }
  // A lazy or possessive suffix changes nothing about the worst case.
  if (pattern[at + length] === '?' || pattern[at + length] === '+') length++;
  return { length, repeats };
}

/** Length of the `(?…` prefix of a group opening at `at` (0 for a plain capturing group). */
function groupPrefixLength(pattern: string, at: number): number {
  if (pattern[at + 1] !== '?') return 1;
  let j = at + 2;
  if (pattern[j] === '<' && pattern[j + 1] !== '=' && pattern[j + 1] !== '!') {
    const close = pattern.indexOf('>', j);
    return close < 0 ? pattern.length - at : close + 1 - at;
  }
  while (j < pattern.length && /[A-Za-z-]/.test(pattern[j])) j++;
  if (pattern[j] === '<') j++;
  if (pattern[j] === ':' || pattern[j] === '=' || pattern[j] === '!') j++;
  return j - at;
}

/** Index just past an escape starting at `at` (`\d`, `\p{L}`, `\u{1F600}`, `\x41`, …). */
function skipEscape(pattern: string, at: number): number {
  const next = pattern[at + 1];
  if ((next === 'p' || next === 'P' || next === 'u' || next === 'x') && pattern[at + 2] === '{') {
    const close = pattern.indexOf('}', at + 3);
    return close < 0 ? pattern.length : close + 1;
  }
  return at + 2;
}

/** Index just past a character class starting at `at` (`[...]`, escapes and nested classes included). */
function skipClass(pattern: string, at: number): number {
  let depth = 0;
  for (let i = at; i < pattern.length; ) {
    const c = pattern[i];
    if (c === '\\') i = skipEscape(pattern, i);
    else {
      if (c === '[') depth++;
      else if (c === ']' && i > at + 1) depth--;
      i++;
      if (depth === 0) return i;
    }
  }
  return pattern.length;
}

/**
 * Why `pattern` can backtrack catastrophically, or null when it cannot by the rule above. The
 * reason quotes the offending group.
 */
export function catastrophicBacktracking(pattern: string): string | null {
  const stack: GroupFrame[] = [{ alternation: false, repetition: false }];
  const opens: number[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    const top = stack[stack.length - 1];
    // The atom that a following quantifier applies to: [start, i) and, for a group, its frame.
    let group: GroupFrame | null = null;
    let atomStart = i;
    if (c === '\\') i = skipEscape(pattern, i);
    else if (c === '[') i = skipClass(pattern, i);
    else if (c === '(') {
      opens.push(i);
      stack.push({ alternation: false, repetition: false });
      i += groupPrefixLength(pattern, i);
      continue;
    } else if (c === ')') {
      if (stack.length === 1) return null; // unbalanced: RegExp itself will refuse it
      group = stack.pop()!;
      atomStart = opens.pop()!;
      const parent = stack[stack.length - 1];
      parent.alternation ||= group.alternation;
      parent.repetition ||= group.repetition;
      i++;
    } else if (c === '|') {
      top.alternation = true;
      i++;
      continue;
    } else i++;
    const q = quantifierAt(pattern, i);
    if (q === null) continue;
    if (q.repeats) {
      if (group !== null && (group.alternation || group.repetition)) {
        const what = group.alternation ? 'an alternation' : 'a repeated element';
        return `the group ${pattern.slice(atomStart, i + q.length)} repeats ${what} (catastrophic backtracking: time exponential in the text length)`;
      }
      stack[stack.length - 1].repetition = true;
    }
    i += q.length;
  }
  return null;
}
