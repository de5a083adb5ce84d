import { describe, expect, it } from 'vitest';
import { METHODS } from '../analysis/registry/registry.ts';
import { jsonOf, runCli } from '../test/cli-capture.ts';
import { FIXTURES } from '../test/reference.ts';
import { parseFlags } from './argv.ts';
import { commandNames } from './main.ts';
import { fieldFlags } from './method-flags.ts';
import { progressReporter } from './progress.ts';

describe('probescope <command> --help', () => {
  it.each(commandNames())('%s --help prints its usage and exits 0', async (name) => {
    const r = await runCli([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`probescope ${name.split(' ')[0]}`));
  });

  it.each([...METHODS.values()].map((m) => [m.method, m] as const))('%s --help names every params field as a flag', async (name, method) => {
    const help = (await runCli([name, '--help'])).stdout;
    for (const f of fieldFlags(method)) {
      const flag = f.kind === 'prompt' || f.kind === 'corruption' ? f.text : f.flag;
      expect(help, flag).toContain(`--${f.kind === 'switch' && f.field.defaultValue === true ? 'no-' : ''}${flag}`);
    }
  });
});

describe('flag values', () => {
  it('reads a value that starts with "-" after the flag or after "="', () => {
    const specs = [{ name: 'pos' }, { name: 'json', switch: true }, { name: 'head', multiple: true }];
    const a = parseFlags('x', ['--pos', '-2', '--json', '--head', '1.2', '--head=3.1'], specs);
    expect(a.get('pos')).toEqual(['-2']);
    expect(a.get('json')).toBe(true);
    expect(a.get('head')).toEqual(['1.2', '3.1']);
    expect(parseFlags('x', ['--pos=-2'], specs).get('pos')).toEqual(['-2']);
  });

  it('maps older names, switches off with --no-, and refuses what it does not know', () => {
    const specs = [{ name: 'direction' }, { name: 'centred', switch: true }];
    const aliases = { noising: 'direction=noising', uncentred: 'no-centred' };
    const v = parseFlags('x', ['--noising', '--uncentred'], specs, aliases);
    expect(v.get('direction')).toEqual(['noising']);
    expect(v.get('centred')).toBe(false);
    expect(() => parseFlags('x', ['--bogus'], specs)).toThrow('unknown option --bogus (see probescope x --help)');
    expect(() => parseFlags('x', ['--direction'], specs)).toThrow('--direction needs a value');
    expect(() => parseFlags('x', ['--direction', 'a', '--direction', 'b'], specs)).toThrow('--direction is given twice');
    expect(() => parseFlags('x', ['stray'], specs)).toThrow(/unexpected argument "stray"/);
  });

  it('--temperature=-1 and --temperature -1 give the same range error', async () => {
    const base = ['run', '--model', 'builtin:stories260K', '--prompt', 'Once upon a time'];
    const spaced = await runCli([...base, '--temperature', '-1']);
    const joined = await runCli([...base, '--temperature=-1']);
    expect(spaced.code).toBe(2);
    expect(spaced.stderr.trim()).toBe('probescope run: --temperature: must be ≥ 0 (got -1)');
    expect(joined).toEqual(spaced);
  });

  it('checks every numeric flag against its schema range, naming the flag', async () => {
    const topP = await runCli(['run', '--model', 'builtin:stories260K', '--ids', '1,403', '--generate', '2', '--top-p', '2']);
    expect(topP.stderr.trim()).toBe('probescope run: --top-p: must be ≤ 1 (got 2)');
    const topK = await runCli(['lens', '--model', 'builtin:stories260K', '--ids', '1,403', '--top-k', '-3']);
    expect([topK.code, topK.stderr.trim()]).toEqual([2, 'probescope lens: --top-k: must be ≥ 1 (got -3)']);
    const notNumber = await runCli(['lens', '--model', 'builtin:stories260K', '--ids', '1,403', '--top-k', 'five']);
    expect(notNumber.stderr.trim()).toBe('probescope lens: --top-k: "five" is not a number');
    const fraction = await runCli(['heads', '--model', 'builtin:stories260K', '--n', '2.5']);
    expect(fraction.stderr.trim()).toMatch(/^probescope heads: --n: /);
    const negativePos = jsonOf(await runCli(['lens', '--model', 'builtin:stories260K', '--ids', '1,403,407', '--pos', '-2', '--top-k', '1', '--json']));
    expect(negativePos.positions).toEqual([1]);
  });

  it('run --generate beyond the context says so on stderr', async () => {
    const r = await runCli(['run', '--model', `${FIXTURES}gpt2-tiny`, '--ids', '1,2,3', '--generate', '100', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toBe("probescope run: generation stopped at the model's context of 64 tokens: 62 of the 100 requested tokens generated"); // 61 fed back + the one predicted at the last position
    expect((jsonOf(r).generated as { stopped: string }).stopped).toBe('context');
  });
});

describe('progress on stderr', () => {
  it('a long command reports passes done of planned with --progress, keeping stdout one JSON object', async () => {
    const r = await runCli(['patch', '--model', 'builtin:stories260K', '--clean-ids', '1,403,407,261,378', '--noise-pos', '1', '--answer', '261', '--json', '--progress']);
    expect(r.code).toBe(0);
    expect(Object.keys(jsonOf(r))).toContain('normalized');
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^probescope patch: 0 of \d+ passes$/);
    expect(lines.at(-1)).toMatch(/^probescope patch: (\d+) of \1 passes, done$/);
    const quiet = await runCli(['patch', '--model', 'builtin:stories260K', '--clean-ids', '1,403,407,261,378', '--noise-pos', '1', '--answer', '261', '--json']);
    expect(quiet.stderr).toBe('');
  });

  it('stays quiet for the first two seconds, then reports at most once a second with the time left', () => {
    let t = 0;
    const lines: string[] = [];
    const report = progressReporter({ label: 'probescope x', always: false, silent: false, write: (l) => lines.push(l), now: () => t });
    report(1, 10, 'passes');
    t = 1500;
    report(2, 10, 'passes');
    expect(lines).toEqual([]);
    t = 2500;
    report(5, 10, 'passes'); // 2.5 s for 5 passes: 2.5 s left
    t = 3000;
    report(6, 10, 'passes'); // within a second of the last report
    t = 4000;
    report(8, 10, 'passes');
    report(10, 10, 'passes');
    expect(lines).toEqual(['probescope x: 5 of 10 passes, about 3 s left', 'probescope x: 8 of 10 passes, about 1 s left', 'probescope x: 10 of 10 passes, done']);
    const silent: string[] = [];
    const none = progressReporter({ label: 'x', always: true, silent: true, write: (l) => silent.push(l), now: () => 0 });
    none(1, 2, 'passes');
    expect(silent).toEqual([]);
  });
});
