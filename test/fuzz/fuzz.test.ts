/**
 * Property-based tests of issue #11 (fast-check, fixed seed, bounded runs; `npm run fuzz` runs
 * the same generators for long campaigns in child processes that also catch crashes, hangs and
 * memory). Every generated input either loads (with the seed's numbers where it describes
 * them, and never a NaN) or ends in one line of the parser's own error type naming the file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzTarget } from './targets.ts';

const CORPUS = fileURLToPath(new URL('./corpus/', import.meta.url));

const SEED = 20261203;
const RUNS: Readonly<Record<string, number>> = { safetensors: 60, config: 25, tokenizer: 30, probescope: 40, notebook: 60, gguf: 40 };

describe.each(Object.entries(RUNS))('fuzz %s', (name, numRuns) => {
  it(`${numRuns} hostile inputs: accepted or a clean error, never an unclean error or silent NaN`, async () => {
    const target = fuzzTarget(name);
    const seen = { accepted: 0, 'clean-error': 0 };
    await fc.assert(
      fc.asyncProperty(target.inputs, async (input) => {
        const verdict = await target.run(input);
        expect(verdict.outcome === 'accepted' || verdict.outcome === 'clean-error', verdict.detail).toBe(true);
        seen[verdict.outcome as keyof typeof seen]++;
      }),
      { seed: SEED, numRuns, endOnFailure: true },
    );
    // The generators reach the parsers' error paths, not only trivial rejections.
    expect(seen['clean-error']).toBeGreaterThan(0);
  }, 120_000);
});

/** Inputs that campaigns found (named <target>-<what>.txt|bin): each was a crash, hang or unclean error once. */
describe('fuzz findings replayed (test/fuzz/corpus)', () => {
  it.each(readdirSync(CORPUS).sort())('%s: accepted or a clean error', async (file) => {
    const target = fuzzTarget(file.slice(0, file.indexOf('-')));
    const input = file.endsWith('.bin') ? new Uint8Array(readFileSync(CORPUS + file)) : readFileSync(CORPUS + file, 'utf8');
    const verdict = await target.run(input);
    expect(verdict.outcome, verdict.detail).toBe('clean-error');
  });
});
