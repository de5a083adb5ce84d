/**
 * `npm run fuzz`: a long fuzzing campaign over the five parsers of issue #11.
 *
 *   npm run fuzz -- [--inputs 10000] [--seed 1] [--jobs 1] [--targets safetensors,config,…]
 *                   [--timeout-ms 10000] [--max-rss-mb 1024]
 *
 * Inputs come from the same fast-check generators as the property tests (test/fuzz/targets.ts),
 * sampled with the seed, split evenly over the targets. Each runs in a worker process
 * (worker.ts) so that a native crash, a hang or a memory blow-up is seen and counted, not
 * suffered: a worker that dies is a crash; an input that takes more than --timeout-ms of CPU
 * time is a hang (CPU time, because a machine shared with other jobs stretches wall time), and
 * a worker silent for --wall-timeout-ms (default 6× that) is killed and counted as a hang too;
 * a peak RSS above --max-rss-mb counts as memory. Prints progress, inputs per
 * second, a summary of outcomes per target and the first examples of every bad outcome; exits
 * non-zero when anything but "accepted" and "clean-error" happened.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import type { FuzzInput } from './targets.ts';
import { fuzzTarget, TARGET_NAMES } from './targets.ts';
import type { WorkerReply, WorkerRequest } from './worker.ts';

const OUTCOMES = ['accepted', 'clean-error', 'unclean-error', 'silent-nan', 'wrong-numbers', 'crash', 'hang', 'memory'] as const;
type CampaignOutcome = (typeof OUTCOMES)[number];

const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    jobs: { type: 'string', default: '1' },
    targets: { type: 'string', default: TARGET_NAMES.join(',') },
    'timeout-ms': { type: 'string', default: '10000' },
    'wall-timeout-ms': { type: 'string' },
    'max-rss-mb': { type: 'string', default: '1024' },
    out: { type: 'string' },
  },
});
const total = Number(values.inputs);
const seed = Number(values.seed);
const jobs = Math.max(1, Number(values.jobs));
const timeoutMs = Number(values['timeout-ms']);
const wallTimeoutMs = Number(values['wall-timeout-ms'] ?? 6 * timeoutMs);
const maxRss = Number(values['max-rss-mb']) * 1024 * 1024;
const targetNames = values.targets.split(',');
for (const name of targetNames) fuzzTarget(name); // fails early on an unknown name

interface Job {
  readonly target: string;
  readonly input: FuzzInput;
}

/** The campaign's inputs, round-robin over the targets, each target's sampled with the seed. */
function plan(): Job[] {
  const per = Math.ceil(total / targetNames.length);
  const byTarget = targetNames.map((name) => fc.sample(fuzzTarget(name).inputs, { seed: seed + TARGET_NAMES.indexOf(name), numRuns: per }));
  const jobsOut: Job[] = [];
  for (let k = 0; jobsOut.length < total; k++) {
    for (const [i, name] of targetNames.entries()) if (jobsOut.length < total && k < per) jobsOut.push({ target: name, input: byTarget[i][k] });
  }
  return jobsOut;
}

const counts = new Map(targetNames.map((t) => [t, new Map<CampaignOutcome, number>(OUTCOMES.map((o) => [o, 0]))]));
const examples = new Map<string, string[]>();
let done = 0;
let peakRssSeen = 0;
/** The most CPU time any one input took. */
let slowest = 0;

function record(job: Job, outcome: CampaignOutcome, detail: string, index: number): void {
  const c = counts.get(job.target)!;
  c.set(outcome, c.get(outcome)! + 1);
  done++;
  if (outcome !== 'accepted' && outcome !== 'clean-error') {
    const key = `${job.target} ${outcome}`;
    const list = examples.get(key) ?? [];
    if (list.length < 3) {
      list.push(`#${index}: ${detail}`);
      examples.set(key, list);
      if (values.out) {
        mkdirSync(values.out, { recursive: true });
        writeFileSync(join(values.out, `${job.target}-${outcome}-${index}.${typeof job.input === 'string' ? 'txt' : 'bin'}`), job.input);
      }
    }
  }
}

/** One worker process running jobs from the shared queue; replaced after a crash or a hang. */
async function runWorker(queue: Job[], indexOf: Map<Job, number>): Promise<void> {
  let child: ChildProcess | null = null;
  const start = (): Promise<ChildProcess> =>
    new Promise((resolve, reject) => {
      const c = fork(new URL('./worker.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      c.stderr?.resume();
      c.once('message', () => resolve(c));
      c.once('error', reject);
    });
  for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
    child ??= await start();
    const index = indexOf.get(job)!;
    const current: ChildProcess = child;
    const result = await new Promise<{ outcome: CampaignOutcome; detail: string; rss?: number }>((resolve) => {
      const timer = setTimeout(() => {
        current.kill('SIGKILL');
        resolve({ outcome: 'hang', detail: `no answer within ${wallTimeoutMs} ms (wall clock)` });
      }, wallTimeoutMs);
      const onExit = (code: number | null, signal: string | null) => {
        clearTimeout(timer);
        resolve({ outcome: 'crash', detail: `worker exited (code ${code}, signal ${signal})` });
      };
      current.once('exit', onExit);
      current.once('message', (reply: WorkerReply) => {
        clearTimeout(timer);
        current.off('exit', onExit);
        const { outcome, detail } = reply.verdict;
        const rss = reply.peakRss;
        if (reply.cpuMs > timeoutMs) resolve({ outcome: 'hang', detail: `${reply.cpuMs.toFixed(0)} ms of CPU time (${outcome}: ${detail})`, rss });
        else if (rss > maxRss) resolve({ outcome: 'memory', detail: `peak RSS ${(rss / 2 ** 20).toFixed(0)} MiB (${outcome}: ${detail})`, rss });
        else resolve({ outcome, detail, rss });
        slowest = Math.max(slowest, reply.cpuMs);
      });
      current.send({ id: index, target: job.target, input: job.input } satisfies WorkerRequest);
    });
    if (result.outcome === 'hang' || result.outcome === 'crash') child = null;
    peakRssSeen = Math.max(peakRssSeen, result.rss ?? 0);
    record(job, result.outcome, result.detail, index);
  }
  child?.kill();
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const jobsList = plan();
  const indexOf = new Map(jobsList.map((j, i) => [j, i]));
  const queue = [...jobsList];
  console.log(
    `fuzz: ${jobsList.length} inputs over ${targetNames.join(', ')} (seed ${seed}, ${jobs} worker(s), hang > ${timeoutMs} ms CPU or ${wallTimeoutMs} ms silent, ` +
      `memory > ${maxRss / 2 ** 20} MiB); generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const started = performance.now();
  const progress = setInterval(() => {
    const s = (performance.now() - started) / 1000;
    console.log(`  ${done}/${jobsList.length} inputs, ${(done / s).toFixed(1)} inputs/s`);
  }, 30_000);
  await Promise.all(Array.from({ length: jobs }, () => runWorker(queue, indexOf)));
  clearInterval(progress);
  const seconds = (performance.now() - started) / 1000;

  console.log(
    `\n${done} inputs in ${seconds.toFixed(1)} s: ${(done / seconds).toFixed(1)} inputs/s; slowest input ${(slowest / 1000).toFixed(2)} s of CPU; ` +
      `peak worker RSS ${(peakRssSeen / 2 ** 20).toFixed(0)} MiB\n`,
  );
  const header = ['target', ...OUTCOMES];
  const rows = [...counts].map(([t, c]) => [t, ...OUTCOMES.map((o) => String(c.get(o)))]);
  const sums = ['total', ...OUTCOMES.map((o) => String([...counts.values()].reduce((n, c) => n + c.get(o)!, 0)))];
  const widths = header.map((h, i) => Math.max(h.length, ...[...rows, sums].map((r) => r[i].length)));
  for (const r of [header, ...rows, sums]) console.log(r.map((cell, i) => cell.padStart(widths[i])).join('  '));
  for (const [key, list] of examples) {
    console.log(`\n${key}:`);
    for (const line of list) console.log(`  ${line}`);
  }
  const bad = [...counts.values()].reduce((n, c) => n + OUTCOMES.slice(2).reduce((m, o) => m + c.get(o)!, 0), 0);
  process.exitCode = bad === 0 ? 0 : 1;
}

await main();
