import { describe, expect, it } from 'vitest';
import type { AdapterFacts } from './adapter-class.ts';
import { autoBackendChoice, classifyAdapter } from './adapter-class.ts';

const facts = (f: Partial<AdapterFacts>): AdapterFacts => ({ vendor: '', architecture: '', device: '', description: '', isFallbackAdapter: false, ...f });

describe('adapter classification', () => {
  it('recognises software renderers by name', () => {
    // As Chromium reports SwiftShader (vendor and architecture only), and as Dawn describes it.
    expect(classifyAdapter(facts({ vendor: 'google', architecture: 'swiftshader' }))).toEqual({ software: true, name: 'SwiftShader' });
    expect(classifyAdapter(facts({ description: 'SwiftShader Device (Subzero)' })).name).toBe('SwiftShader');
    expect(classifyAdapter(facts({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }))).toEqual({ software: true, name: 'llvmpipe' });
    expect(classifyAdapter(facts({ description: 'Microsoft Basic Render Driver' }))).toEqual({ software: true, name: 'WARP' });
    expect(classifyAdapter(facts({ device: 'lavapipe' })).software).toBe(true);
  });

  it("trusts the browser's fallback flag for renderers it does not know", () => {
    expect(classifyAdapter(facts({ vendor: 'someone', description: 'Mystery Raster', isFallbackAdapter: true }))).toEqual({ software: true, name: 'Mystery Raster' });
  });

  it('keeps hardware adapters on WebGPU', () => {
    const nvidia = classifyAdapter(facts({ vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3080' }));
    expect(nvidia).toEqual({ software: false, name: 'NVIDIA GeForce RTX 3080' });
    expect(classifyAdapter(facts({ vendor: 'apple', architecture: 'metal-3' }))).toEqual({ software: false, name: 'apple metal-3' });
    // "warp" only as a whole word: a hardware name that contains it is not WARP.
    expect(classifyAdapter(facts({ description: 'Warpdrive GPU 9000' })).software).toBe(false);
  });

  it('auto takes the CPU on a software adapter or none, with a one-line reason', () => {
    expect(autoBackendChoice({ software: false, name: 'NVIDIA' })).toEqual({ use: 'webgpu', reason: null });
    const soft = autoBackendChoice({ software: true, name: 'SwiftShader' });
    expect(soft.use).toBe('cpu');
    expect(soft.reason).toMatch(/^Auto chose the CPU: .*SwiftShader, a software renderer/);
    expect(soft.reason).not.toContain('\n');
    expect(autoBackendChoice(null, 'no WebGPU adapter')).toEqual({ use: 'cpu', reason: 'Auto chose the CPU: no WebGPU adapter' });
  });
});
