import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import type { MemoryNeed } from '../../analysis/model/memory-need.ts';
import { checkpointMemoryNeed } from '../../analysis/model/memory-need.ts';
import { NodeFolderSource } from '../../analysis/formats/node-source.ts';
import { readModelConfig } from '../../analysis/formats/config.ts';
import { describeFit, memoryOffer, misfit } from './memory-fit.ts';

const GiB = 2 ** 30;
const need = (weightBytes: number, largest = weightBytes / 10): MemoryNeed => ({ weightBytes, tensors: 10, largest: { name: 'model.embed_tokens.weight', bytes: largest }, dtypes: ['BF16'] });

describe('memory fit before loading', () => {
  it('reads the need from the headers: stored bytes of every tensor (BF16 stays 2 bytes a value)', async () => {
    const source = new NodeFolderSource(new URL('../../test/fixtures/gemma3-tiny', import.meta.url).pathname);
    const { spec } = await readModelConfig(source);
    const n = await checkpointMemoryNeed(source, spec);
    expect(n.dtypes).toEqual(['BF16']);
    expect(n.largest.name).toBe('model.embed_tokens.weight');
    expect(n.largest.bytes).toBe(512 * 40 * 2);
    expect(n.tensors).toBe(1 + 3 * 13 + 1);
    expect(n.weightBytes).toBeGreaterThan(0);
  });

  it('refuses a model above the memory the device reports, naming the limit and the need', () => {
    const offer = { totalBytes: 4 * GiB, totalLimit: 'this device’s memory (navigator.deviceMemory 4.0 GiB)', bufferBytes: null, bufferLimit: '' };
    expect(misfit(need(5.2 * GiB), offer)).toBe(
      'This model does not fit: its weights need 5.2 GiB (BF16), more than this device’s memory (navigator.deviceMemory 4.0 GiB). Open a smaller model or a quantised one.',
    );
    expect(misfit(need(2.5 * GiB), offer)).toBeNull();
    expect(describeFit(need(2.5 * GiB), offer)).toBe('weights need 2.5 GiB (BF16, 10 tensors, kept as stored) of 4.0 GiB available');
  });

  it('refuses a tensor larger than the WebGPU adapter’s largest buffer', () => {
    const offer = { totalBytes: null, totalLimit: '', bufferBytes: 1 * GiB, bufferLimit: 'the WebGPU adapter’s maxBufferSize (1.0 GiB)' };
    expect(misfit(need(5 * GiB, 1.2 * GiB), offer)).toMatch(/largest tensor "model.embed_tokens.weight" needs 1.2 GiB, more than the WebGPU adapter’s maxBufferSize \(1.0 GiB\)/);
  });

  it('the CPU backend in Node offers no bound it cannot know', () => {
    const offer = memoryOffer(createCpuBackend());
    expect(offer.bufferBytes).toBeNull();
  });
});
