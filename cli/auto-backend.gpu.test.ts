/** With SwiftShader as the only adapter (the gpu project's environment), auto takes the CPU and says why. */
import { expect, it } from 'vitest';
import { autoBackend } from './auto-backend.ts';

it('auto passes over SwiftShader for the fast CPU backend, naming it', async () => {
  const choice = await autoBackend();
  expect([choice.use, choice.softwareAdapter]).toEqual(['cpu', true]);
  expect(choice.reason).toMatch(/SwiftShader/);
}, 60_000);
