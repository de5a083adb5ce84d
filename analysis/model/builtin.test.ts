import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILTIN_MODELS, builtinModel, builtinModelFolder, openBuiltinSource } from './builtin.ts';
import { loadHostModel } from './load.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

describe('built-in models', () => {
  it('stories260K resolves to models/stories260K in the repository', () => {
    expect(builtinModelFolder('builtin:stories260K')).toBe(`${REPO}models/stories260K/`);
    expect(BUILTIN_MODELS['builtin:stories260K'].url.href).toBe(new URL('models/stories260K/', new URL(`file://${REPO}`)).href);
  });

  it('ships byte-identical copies of the stories260K fixture files', () => {
    const { files } = builtinModel('builtin:stories260K');
    for (const file of files) {
      const shipped = readFileSync(`${REPO}models/stories260K/${file}`);
      const fixture = readFileSync(`${REPO}test/fixtures/stories260K-hf/${file}`);
      expect(shipped.equals(fixture), file).toBe(true);
    }
  });

  it('loads through openBuiltinSource, with its tokenizer', async () => {
    const source = await openBuiltinSource('builtin:stories260K');
    expect(source.label).toBe('builtin:stories260K');
    const model = await loadHostModel(source);
    expect(model.spec.nLayers).toBe(5);
    expect(model.tokenizer?.encode('Once upon a time', { prependBos: true })).toEqual([1, 403, 407, 261, 378]);
  });

  it('rejects unknown ids, listing the known ones', () => {
    expect(() => builtinModelFolder('builtin:gpt5')).toThrow('unknown built-in model "builtin:gpt5" (available: builtin:stories260K)');
  });
});
