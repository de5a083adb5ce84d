import { describe, expect, it } from 'vitest';
import { autoBackend, chooseBackend } from './auto-backend.ts';

const facts = (description: string, isFallbackAdapter = false) => ({ vendor: '', architecture: '', device: '', description, isFallbackAdapter });

describe('the CLI default backend (auto)', () => {
  it('WebGPU on a hardware adapter; the CPU, saying why, on a software one or none', () => {
    expect(chooseBackend({ ok: true, facts: facts('NVIDIA H200') }).use).toBe('webgpu');
    const swift = chooseBackend({ ok: true, facts: facts('SwiftShader Device (Subzero)') });
    expect([swift.use, swift.softwareAdapter]).toEqual(['cpu', true]);
    expect(swift.reason).toMatch(/SwiftShader, a software renderer/);
    expect(chooseBackend({ ok: true, facts: facts('Some GPU', true) }).use).toBe('cpu');
    const none = chooseBackend({ ok: false, reason: 'no WebGPU adapter (no WebGPU-capable GPU or driver)' });
    expect([none.use, none.softwareAdapter]).toEqual(['cpu', false]);
  });

  it('probes in a child process and gets an answer (no GPU here: the CPU)', async () => {
    const choice = await autoBackend();
    expect(choice.use).toBe('cpu');
  }, 60_000);
});
