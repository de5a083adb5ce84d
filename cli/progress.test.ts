/** The CLI's progress line: a run whose last pass completes its plan says "done" once. */
import { describe, expect, it } from 'vitest';
import { progressReporter } from './progress.ts';

describe('progressReporter', () => {
  it('writes "N of N, done" once when the last pass and the method\'s end both report it', () => {
    const lines: string[] = [];
    const report = progressReporter({ label: 'probescope x', always: true, silent: false, write: (l) => lines.push(l), now: () => 0 });
    report(0, 3, 'passes');
    report(3, 3, 'passes');
    report(3, 3, 'passes');
    expect(lines).toEqual(['probescope x: 0 of 3 passes', 'probescope x: 3 of 3 passes, done']);
  });

  it('a re-plan that shrinks the total is shown against the new total', () => {
    const lines: string[] = [];
    let t = 0;
    const report = progressReporter({ label: 'x', always: true, silent: false, write: (l) => lines.push(l), now: () => t });
    report(0, 10, 'passes');
    t = 2000;
    report(2, 4, 'passes');
    t = 4000;
    report(4, 4, 'passes');
    expect(lines).toEqual(['x: 0 of 10 passes', 'x: 2 of 4 passes, about 2 s left', 'x: 4 of 4 passes, done']);
  });
});
