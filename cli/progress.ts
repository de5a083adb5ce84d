/**
 * Progress on stderr for commands that take more than a couple of seconds: "done of planned"
 * and the time left, at most once a second. Quiet for short runs; `always` (the --progress flag)
 * reports from the first update. stdout stays clean for --json.
 */
import type { ProgressUnit } from '../analysis/registry/contract.ts';

export interface ProgressOptions {
  readonly label: string;
  /** Report from the start (--progress) instead of after `quietMs`. */
  readonly always: boolean;
  /** Say nothing at all (--json without --progress). */
  readonly silent: boolean;
  readonly write?: (line: string) => void;
  readonly now?: () => number;
  readonly quietMs?: number;
  readonly intervalMs?: number;
}

export type ProgressReporter = (done: number, total: number, unit: ProgressUnit) => void;

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 90 ? `${s} s` : `${Math.round(s / 60)} min`;
}

export function progressReporter(options: ProgressOptions): ProgressReporter {
  const write = options.write ?? ((line: string) => void process.stderr.write(line + '\n'));
  const now = options.now ?? (() => performance.now());
  const quietMs = options.always ? 0 : (options.quietMs ?? 2000);
  const intervalMs = options.intervalMs ?? 1000;
  const start = now();
  let last = -Infinity;
  let lastLine = '';
  return (done, total, unit) => {
    if (options.silent) return;
    const t = now();
    const finished = total > 0 && done >= total;
    if (t - start < quietMs || (!finished && t - last < intervalMs)) return;
    if (finished && last === -Infinity && !options.always) return;
    const left = done > 0 && !finished ? `, about ${seconds(((t - start) / done) * (total - done))} left` : '';
    const line = `${options.label}: ${done} of ${total} ${unit}${finished ? ', done' : left}`;
    // An exact plan reports "N of N" at its last pass and again when the method returns: say it once.
    if (finished && line === lastLine) return;
    last = t;
    lastLine = line;
    write(line);
  };
}
