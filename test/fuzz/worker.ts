/**
 * A fuzz campaign's worker process: runs the inputs the parent sends, one at a time, and
 * answers each with its verdict and the peak RSS it took. Crashes and hangs are the parent's to
 * see (this process dies or stops answering); the peak is reset before each input through
 * /proc/self/clear_refs where Linux allows it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { FuzzInput, FuzzTarget, Verdict } from './targets.ts';
import { fuzzTarget } from './targets.ts';

export interface WorkerRequest {
  readonly id: number;
  readonly target: string;
  readonly input: FuzzInput;
}

export interface WorkerReply {
  readonly id: number;
  readonly verdict: Verdict;
  /** Peak resident set size while running the input, in bytes. */
  readonly peakRss: number;
  /** CPU time (user + system) the input took, in milliseconds: a hang is judged by it, not by a
   *  wall clock that a busy machine stretches. */
  readonly cpuMs: number;
}

function resetPeak(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux, or not permitted: the peak is then the process's lifetime peak (still an upper bound).
  }
}

function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // fall through
  }
  return process.memoryUsage().rss;
}

const targets = new Map<string, FuzzTarget>();

process.on('message', (message: WorkerRequest) => {
  void (async () => {
    let target = targets.get(message.target);
    if (target === undefined) {
      target = fuzzTarget(message.target);
      targets.set(message.target, target);
    }
    resetPeak();
    const cpu = process.cpuUsage();
    let verdict: Verdict;
    try {
      verdict = await target.run(message.input);
    } catch (e) {
      verdict = { outcome: 'unclean-error', detail: `the oracle itself threw: ${(e as Error).message}` };
    }
    const used = process.cpuUsage(cpu);
    process.send!({ id: message.id, verdict, peakRss: peakRss(), cpuMs: (used.user + used.system) / 1000 } satisfies WorkerReply);
  })();
});
process.send!({ ready: true });
