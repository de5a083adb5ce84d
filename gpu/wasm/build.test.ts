/**
 * The committed kernels (gpu/wasm/kernels.generated.ts) are exactly what their AssemblyScript
 * source compiles to with the pinned npm compiler: rebuilt here and compared byte for byte.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without type declarations (it runs under node directly).
import { buildGenerated, generatedPath } from './build.mjs';

describe('wasm kernels build', () => {
  it('the committed module matches its source', async () => {
    const rebuilt = (await buildGenerated()) as string;
    expect(rebuilt === readFileSync(generatedPath as string, 'utf8'), 'gpu/wasm/kernels.generated.ts is stale: run node gpu/wasm/build.mjs').toBe(true);
  }, 120_000);
});
