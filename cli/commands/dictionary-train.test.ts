/** probescope dictionary-train: a tiny run writes a SAELens folder that reads back, the corpus and metrics. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSaeLens } from '../../analysis/dictionaries/saelens.ts';
import { NodeFolderSource } from '../../analysis/formats/node-source.ts';
import { testTempDir } from '../../test/temp-dir.ts';
import { dictionaryTrainCommand } from './dictionary-train.ts';

describe('probescope dictionary-train', () => {
  it('trains, writes a SAELens folder, the corpus and metrics', async () => {
    const out = testTempDir('dict-train-');
    const code = await dictionaryTrainCommand([
      '--model', 'builtin:stories260K', '--out', out, '--transcoders', '1', '--samples', '3', '--length', '12',
      '--eval-samples', '1', '--steps', '4', '--d-sae', '32', '--k', '4',
    ]);
    expect(code).toBe(0);
    const corpus = JSON.parse(readFileSync(join(out, 'corpus.json'), 'utf8')) as { sequences: number[][] };
    expect(corpus.sequences).toHaveLength(3);
    expect(corpus.sequences[0][0]).toBe(1);
    const folder = join(out, 'blocks.1.hook_mlp_out');
    const dict = await loadSaeLens(new NodeFolderSource(folder));
    expect(dict.config).toMatchObject({ kind: 'transcoder', hookIn: 'blocks.1.ln2.hook_normalized', hookOut: 'blocks.1.hook_mlp_out', dSae: 32, k: 4 });
    const metrics = JSON.parse(readFileSync(join(folder, 'metrics.json'), 'utf8')) as { meanL0: number; steps: number };
    expect(metrics.steps).toBe(4);
    expect(metrics.meanL0).toBeLessThanOrEqual(4);
  });

  it('--architecture jumprelu writes a SAELens jumprelu_transcoder with its thresholds', async () => {
    const out = testTempDir('dict-train-jr-');
    const code = await dictionaryTrainCommand([
      '--model', 'builtin:stories260K', '--out', out, '--transcoders', '0', '--samples', '3', '--length', '12',
      '--eval-samples', '1', '--steps', '4', '--d-sae', '32', '--architecture', 'jumprelu', '--init-threshold', '0.05',
    ]);
    expect(code).toBe(0);
    const dict = await loadSaeLens(new NodeFolderSource(join(out, 'blocks.0.hook_mlp_out')));
    expect(dict.config).toMatchObject({ architecture: 'jumprelu_transcoder', activation: 'jumprelu', kind: 'transcoder', dSae: 32, k: null });
    expect(dict.weights.threshold!.shape).toEqual([32]);
    await expect(dictionaryTrainCommand(['--model', 'builtin:stories260K', '--out', out, '--transcoders', '0', '--architecture', 'jumprelu', '--k', '4'])).rejects.toThrow(/--k is for --architecture topk/);
  });

  it('says what is missing', async () => {
    await expect(dictionaryTrainCommand(['--model', 'builtin:stories260K'])).rejects.toThrow(/--out DIR is required/);
    await expect(dictionaryTrainCommand(['--model', 'builtin:stories260K', '--out', testTempDir('dict-train-')])).rejects.toThrow(/say what to train/);
  });
});
