/**
 * The import-layering lint rule (eslint-layers.mjs) through the project's own ESLint config: it
 * fails on planted upward imports and passes on allowed ones and on the real tree's files.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return result.messages.filter((m) => m.ruleId === 'layers/imports').map((m) => m.message);
}

describe('layering lint rule', () => {
  it.each([
    ['gpu/planted.ts', "import { run } from '../analysis/model/run.ts';\nexport { run };\n", 'analysis'],
    ['analysis/methods/planted.ts', "import { METHODS } from '../../notebooks/runner.ts';\nexport { METHODS };\n", 'notebooks'],
    ['analysis/planted.ts', "export { main } from '../cli/main.ts';\n", 'cli'],
    ['notebooks/planted.ts', "export const load = () => import('../renderer/worker/session.ts');\n", 'renderer'],
    ['notebooks/planted.ts', "import { openModel } from '../cli/open.ts';\nexport { openModel };\n", 'cli'],
    ['cli/planted.ts', "import { App } from '../renderer/app/App.tsx';\nexport { App };\n", 'renderer'],
    ['renderer/planted.ts', "import { main } from '../electron/main/main.ts';\nexport { main };\n", 'electron'],
    // A package.json `imports` alias is checked where it lands (#url-source is analysis/formats/).
    ['gpu/planted.ts', "import { urlSourceHost } from '#url-source';\nexport { urlSourceHost };\n", 'analysis'],
  ])('%s importing %s upward is an error', async (file, code, to) => {
    const errors = await layerErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`reaches ${to}/ \\(layers: renderer/electron/cli → notebooks → analysis → gpu\\)`));
  });

  it.each([
    ['analysis/planted.ts', "import type { Backend } from '../gpu/backend.ts';\nexport type { Backend };\n"],
    ['notebooks/planted.ts', "import { METHODS } from '../analysis/registry/registry.ts';\nexport { METHODS };\n"],
    ['renderer/planted.ts', "import type { ProbescopeBridge } from '../electron/preload/api.ts';\nexport type { ProbescopeBridge };\n"],
    ['gpu/planted.test.ts', "import { run } from '../analysis/model/run.ts';\nexport { run };\n"],
    ['analysis/planted.ts', "import { wasmHost } from '#wasm-host';\nexport { wasmHost };\n"],
  ])('%s with an allowed import passes', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });

  it('passes on real files of every layer', async () => {
    const files = ['gpu/backend.ts', 'analysis/registry/define.ts', 'notebooks/runner.ts', 'cli/main.ts', 'renderer/worker/jobs/method.ts', 'electron/main/main.ts'];
    for (const result of await eslint.lintFiles(files)) {
      expect(result.messages.filter((m) => m.ruleId === 'layers/imports'), result.filePath).toEqual([]);
    }
  });
});
