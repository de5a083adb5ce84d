import { describe, expect, it } from 'vitest';
import { jsonOf, runCli } from '../../test/cli-capture.ts';
import { FIXTURES, loadReference, worstMismatch } from '../../test/reference.ts';

interface LinearScopeJson {
  bias: number;
  perPosition: number[];
  perComponent: number[];
  replay: number;
  logit: number;
  components: string[];
  grid: number[][];
  decoded: { top: { token: string; value: number }[] }[];
}

describe('probescope linearscope', () => {
  const ref = loadReference('qwen2-tiny');
  const golden = ref.methods.linearscope as { target_token: number; bias: number; per_position: number[]; real_logit: number; tangent_per_position: number[] };
  const ids = ref.inputs[0].input_ids.join(',');

  it('reproduces golden (h) with --json (secant), and the parts sum to the logit', async () => {
    const out = jsonOf(await runCli(['linearscope', '--model', `${FIXTURES}qwen2-tiny`, '--ids', ids, '--target', String(golden.target_token), '--json'])) as unknown as LinearScopeJson;
    expect(Math.abs(out.bias - golden.bias)).toBeLessThan(1e-4);
    expect(Math.abs(out.logit - golden.real_logit)).toBeLessThan(1e-4);
    expect(Math.abs(out.replay - golden.real_logit)).toBeLessThan(1e-4);
    expect(worstMismatch(out.perPosition, golden.per_position)).toBeNull();
    const parts = out.perComponent.reduce((a, v) => a + v, 0);
    expect(Math.abs(parts + out.bias - out.logit)).toBeLessThan(1e-4);
    expect(out.components).toHaveLength(out.perComponent.length);
    expect(out.components).toContain('L1H3');
    expect(out.decoded).toHaveLength(ref.inputs[0].input_ids.length);
  });

  it('--mode tangent gives the golden tangent split; text output on a tokenizer model', async () => {
    const out = jsonOf(await runCli(['linearscope', '--model', `${FIXTURES}qwen2-tiny`, '--ids', ids, '--target', String(golden.target_token), '--mode', 'tangent', '--json'])) as unknown as LinearScopeJson;
    expect(worstMismatch(out.perPosition, golden.tangent_per_position)).toBeNull();
    const text = await runCli(['linearscope', '--model', 'builtin:stories260K', '--prompt', 'Once upon a time', '--target', '261', '--wrong', '365', '--pos=-1']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/metric: logit\[" a" \(261\)\] − logit\[" happ" \(365\)\] at position 4/);
    expect(text.stdout).toMatch(/LinearScope \(secant\): logit\[" a"\] − logit\[" happ"\] by source position/);
  });

  it('fails with one clear line on a bad mode or start hook', async () => {
    const mode = await runCli(['linearscope', '--model', `${FIXTURES}qwen2-tiny`, '--ids', '1,2', '--target', '3', '--mode', 'chord']);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toMatch(/--mode: must be one of secant, tangent \(got "chord"\)/);
    const start = await runCli(['linearscope', '--model', `${FIXTURES}qwen2-tiny`, '--ids', '1,2', '--target', '3', '--start', 'blocks.0.hook_attn_out']);
    expect(start.code).toBe(1);
    expect(start.stderr).toMatch(/expected a residual-stream hook/);
  });
});
