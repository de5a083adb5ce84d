/**
 * Writes a GPT-2-small-shaped checkpoint (12 layers, d 768, 12 heads, vocab 50257, 1024
 * positions) with random weights into a folder, in the Hugging Face layout, so benches load it
 * through the real loader. Values are uniform in ±0.05 (fast to generate; magnitude is what
 * matters for timing, not the distribution).
 */
import { mkdtempSync, openSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frameSafetensors } from '../analysis/formats/safetensors-writer.ts';
import { seededRandom } from '../analysis/model/sampling.ts';

export const GPT2_SMALL = { nLayer: 12, nEmbd: 768, nHead: 12, nPositions: 1024, vocab: 50257 } as const;

export interface WrittenModel {
  readonly folder: string;
  readonly f32Bytes: number;
}

export function writeGpt2Small(shape: { nLayer: number; nEmbd: number; nHead: number; nPositions: number; vocab: number } = GPT2_SMALL): WrittenModel {
  const { nLayer, nEmbd: d, nHead, nPositions, vocab } = shape;
  const tensors: [string, number[]][] = [['wte.weight', [vocab, d]], ['wpe.weight', [nPositions, d]]];
  for (let i = 0; i < nLayer; i++) {
    const p = `h.${i}.`;
    tensors.push(
      [`${p}ln_1.weight`, [d]], [`${p}ln_1.bias`, [d]],
      [`${p}attn.c_attn.weight`, [d, 3 * d]], [`${p}attn.c_attn.bias`, [3 * d]],
      [`${p}attn.c_proj.weight`, [d, d]], [`${p}attn.c_proj.bias`, [d]],
      [`${p}ln_2.weight`, [d]], [`${p}ln_2.bias`, [d]],
      [`${p}mlp.c_fc.weight`, [d, 4 * d]], [`${p}mlp.c_fc.bias`, [4 * d]],
      [`${p}mlp.c_proj.weight`, [4 * d, d]], [`${p}mlp.c_proj.bias`, [d]],
    );
  }
  tensors.push(['ln_f.weight', [d]], ['ln_f.bias', [d]]);
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, s] of tensors) {
    const bytes = s.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: 'F32', shape: s, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const folder = mkdtempSync(join(tmpdir(), 'probescope-gpt2-small-'));
  writeFileSync(
    join(folder, 'config.json'),
    JSON.stringify({ model_type: 'gpt2', n_layer: nLayer, n_embd: d, n_head: nHead, n_positions: nPositions, vocab_size: vocab, layer_norm_epsilon: 1e-5, activation_function: 'gelu_new' }),
  );
  const fd = openSync(join(folder, 'model.safetensors'), 'w');
  writeSync(fd, frameSafetensors(header, new Uint8Array(0)));
  const random = seededRandom(1);
  // Stream tensor data in chunks so the writer itself never holds the model.
  for (const [name, s] of tensors) {
    const n = s.reduce((a, b) => a * b, 1);
    const isGain = name.endsWith('ln_1.weight') || name.endsWith('ln_2.weight') || name === 'ln_f.weight';
    for (let at = 0; at < n; at += 1 << 20) {
      const chunk = new Float32Array(Math.min(1 << 20, n - at));
      for (let i = 0; i < chunk.length; i++) chunk[i] = isGain ? 1 : (random() - 0.5) * 0.1;
      writeSync(fd, new Uint8Array(chunk.buffer));
    }
  }
  closeSync(fd);
  return { folder, f32Bytes: offset };
}
