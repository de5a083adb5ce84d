/** keepTopK on the CPU reference against rows worked out by hand (ties, k ≥ n, k = 0). */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from './backend.ts';

const cpu = createCpuBackend();

async function topK(row: number[][], k: number): Promise<number[]> {
  const [out] = await cpu.read([cpu.keepTopK(cpu.upload(Float32Array.from(row.flat()), [row.length, row[0].length]), k)]);
  return [...out];
}

describe('CPU keepTopK', () => {
  it('keeps the k largest of each row, zeroes the rest', async () => {
    expect(await topK([[0.5, -2, 3, 1], [-1, -3, -2, -4]], 2)).toEqual([0, 0, 3, 1, -1, 0, -2, 0]);
  });
  it('breaks ties at rank k by the lower index', async () => {
    expect(await topK([[1, 2, 2, 2, 0]], 2)).toEqual([0, 2, 2, 0, 0]);
  });
  it('keeps everything for k ≥ n and nothing for k = 0', async () => {
    expect(await topK([[1, -1, 0.25]], 5)).toEqual([1, -1, 0.25]);
    expect(await topK([[1, -1, 0.25]], 0)).toEqual([0, 0, 0]);
  });
  it('refuses a negative or fractional k', () => {
    expect(() => cpu.keepTopK(cpu.upload(new Float32Array(3), [3]), 1.5)).toThrow(/k must be a non-negative integer/);
  });
});
