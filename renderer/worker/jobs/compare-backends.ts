/**
 * "Compare backends" on the Model page: one forward pass of the open model on the prompt, on
 * the app's CPU backend and on WebGPU (whatever adapter this browser has, software or not), so a
 * person can see which is faster here rather than trust Auto. The backend not in use gets the
 * same weights read again from the model's source, and is freed afterwards.
 */
import type { Backend } from '../../../gpu/backend.ts';
import { loadHostModel } from '../../../analysis/model/load.ts';
import type { Model } from '../../../analysis/model/model.ts';
import { modelOnBackend } from '../../../analysis/model/model.ts';
import { mapWeights } from '../../../analysis/model/weights.ts';
import { run } from '../../../analysis/model/run.ts';
import { createAppCpuBackend } from '../backend-select.ts';
import type { BackendTiming, CompareBackendsParams, CompareBackendsResult } from '../contracts.ts';
import { JobInputError } from '../errors.ts';
import type { JobContext } from '../job-context.ts';
import type { EngineSession } from '../session.ts';
import { openWebGpuBackend, probeWorkerAdapter, releaseBackend } from '../webgpu-backend.ts';
import { sourceFor } from './load-model.ts';

const KINDS = ['cpu', 'webgpu'] as const;
const TIMED_RUNS = 3;

/** A backend of this kind, or why there is none; `software` says the adapter is an emulation. */
async function openKind(kind: 'cpu' | 'webgpu'): Promise<{ backend: Backend; note: string | null } | { backend: null; note: string }> {
  if (kind === 'cpu') {
    const cpu = await createAppCpuBackend('');
    return { backend: cpu.backend, note: cpu.note ? cpu.note.replace(/^; /, '') : null };
  }
  const probe = await probeWorkerAdapter();
  const opened = await openWebGpuBackend(probe);
  if (!opened.ok) return { backend: null, note: opened.reason };
  return { backend: opened.backend, note: probe.ok && probe.class.software ? `${probe.class.name} is a software renderer` : null };
}

/** Median wall time of one forward pass (logits of the last position read back), after a warm-up. */
async function timeForward(model: Model, ids: readonly number[], ctx: JobContext): Promise<number> {
  await run(model, { ids: [...ids] }, { logits: 'last' });
  const times: number[] = [];
  for (let i = 0; i < TIMED_RUNS; i++) {
    await ctx.checkpoint();
    const t0 = performance.now();
    await run(model, { ids: [...ids] }, { logits: 'last' });
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(TIMED_RUNS / 2)];
}

export async function compareBackends(session: EngineSession, params: CompareBackendsParams, ctx: JobContext): Promise<CompareBackendsResult> {
  const open = session.open;
  if (!open) throw new JobInputError('No model is open yet.');
  const ids = session.requireIds(params.ids);
  const timings: BackendTiming[] = [];
  for (const [i, kind] of KINDS.entries()) {
    ctx.progress(i, KINDS.length, 'passes', `timing one forward pass on ${kind === 'cpu' ? 'the CPU' : 'WebGPU'}`);
    // The app's CPU backend is the fast one (info name "wasm") or the reference ("cpu").
    const inUse = open.model.backend.info.name === 'webgpu' ? 'webgpu' : 'cpu';
    if (inUse === kind) {
      const adapter = open.model.backend.info.adapter;
      timings.push({ backend: kind, adapter, forwardMs: await timeForward(open.model, ids, ctx), current: true, note: open.card.backend.note });
      continue;
    }
    if (!open.source) throw new JobInputError('The open model cannot be read again for a comparison; reopen it first.');
    const other = await openKind(kind);
    if (!other.backend) {
      timings.push({ backend: kind, adapter: null, forwardMs: null, current: false, note: other.note });
      continue;
    }
    const host = await loadHostModel(sourceFor(open.source));
    const model = modelOnBackend({ ...host, label: open.model.label }, other.backend);
    try {
      timings.push({ backend: kind, adapter: other.backend.info.adapter, forwardMs: await timeForward(model, ids, ctx), current: false, note: other.note });
    } finally {
      mapWeights(model.weights, (t) => other.backend.dispose(t));
      releaseBackend(other.backend);
    }
  }
  ctx.progress(KINDS.length, KINDS.length, 'passes', 'done');
  return { tokens: ids.length, timings };
}

