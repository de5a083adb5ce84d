import { describe, expect, it } from 'vitest';
import { EngineClient, JobCancelled, JobFailed } from './client.ts';
import type { Progress } from './contracts.ts';
import { JobInputError } from './errors.ts';
import type { JobContext } from './job-context.ts';
import type { FromWorker, ToWorker } from './protocol.ts';
import { parseFromWorker, parseToWorker } from './protocol.ts';
import type { JobHandlers } from './runner.ts';
import { JobRunner } from './runner.ts';

/** A long job: `total` steps with a checkpoint between each, like a sweep. */
async function sweep(total: number, ctx: JobContext): Promise<number> {
  for (let i = 0; i < total; i++) {
    ctx.progress(i, total, 'cells', 'sweep');
    await ctx.checkpoint();
  }
  return total;
}

const unused = () => Promise.reject(new Error('not used in this test'));

function connect(overrides: Partial<JobHandlers>) {
  const channel = new MessageChannel();
  const handlers = {
    loadModel: unused,
    tokenize: unused,
    nextToken: unused,
    generate: unused,
    method: unused,
    ...overrides,
  } as JobHandlers;
  const runner = new JobRunner(handlers, (m: FromWorker, t) => channel.port1.postMessage(m, t));
  channel.port1.onmessage = (e) => {
    const m = parseToWorker(e.data);
    if (m) runner.receive(m);
  };
  const port = channel.port2;
  const client = new EngineClient({
    postMessage: (m: ToWorker, t?: Transferable[]) => port.postMessage(m, t ?? []),
    addEventListener: (type, listener) => port.addEventListener(type, listener),
  });
  port.start();
  return { client, runner, close: () => (channel.port1.close(), channel.port2.close()) };
}

describe('worker protocol', () => {
  it('delivers progress then the result, moving typed arrays', async () => {
    const { client, close } = connect({
      // The transport moves any typed array a result holds (method results are JSON; other jobs' need not be).
      method: async (_p, ctx) => {
        await sweep(3, ctx);
        return { patterns: new Float32Array([1, 0, 0.5, 0.5]) } as never;
      },
    });
    const progress: Progress[] = [];
    const result = (await client.start('method', { method: 'attention-patterns', params: {}, prompts: null }, (p) => progress.push(p)).result) as unknown as { patterns: Float32Array };
    expect(result.patterns).toBeInstanceOf(Float32Array);
    expect(Array.from(result.patterns)).toEqual([1, 0, 0.5, 0.5]);
    expect(progress[0]).toEqual({ done: 0, total: 3, unit: 'cells', stage: 'sweep' });
    close();
  });

  it('cancel stops a long job between steps, and the worker keeps answering', async () => {
    let stepsRun = 0;
    const { client, runner, close } = connect({
      method: async (_p, ctx) => {
        for (;;) {
          stepsRun++;
          await ctx.checkpoint();
        }
      },
      tokenize: async (p) => ({ tokens: [{ id: 7, text: p.text, special: false }] }),
    });
    const job = client.start('method', { method: 'logit-lens', params: {}, prompts: [{ ids: [1] }] });
    await new Promise((r) => setTimeout(r, 20));
    job.cancel();
    await expect(job.result).rejects.toBeInstanceOf(JobCancelled);
    const after = stepsRun;
    await new Promise((r) => setTimeout(r, 20));
    expect(stepsRun).toBe(after);
    expect(runner.active).toEqual([]);
    const answer = await client.start('tokenize', { text: 'hi', prependBos: false }).result;
    expect(answer.tokens[0].text).toBe('hi');
    close();
  });

  it('reports errors with their kind and message', async () => {
    const { client, close } = connect({
      nextToken: async () => {
        throw new JobInputError('No model is open yet.');
      },
    });
    const error = await client.start('nextToken', { ids: [1], topK: 5 }).result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailed);
    expect((error as JobFailed).error).toEqual({ kind: 'input', name: 'JobInputError', message: 'No model is open yet.' });
    close();
  });

  it('rejects malformed envelopes', () => {
    expect(parseToWorker({ type: 'run', id: 1, kind: 'rm -rf', params: {} })).toBeNull();
    expect(parseToWorker({ type: 'run', id: '1', kind: 'tokenize', params: {} })).toBeNull();
    expect(parseToWorker({ type: 'cancel', id: 3 })).toEqual({ type: 'cancel', id: 3 });
    expect(parseFromWorker({ type: 'error', id: 1, error: {} })).toBeNull();
    expect(parseFromWorker(null)).toBeNull();
  });
});

describe('engine client', () => {
  it('fails every pending job when the worker dies', async () => {
    const listeners: { error?: (e: ErrorEvent) => void } = {};
    const client = new EngineClient(
      { postMessage: () => {}, addEventListener: () => {} },
      { addEventListener: (_type, listener) => (listeners.error = listener) },
    );
    const job = client.start('tokenize', { text: 'x', prependBos: false });
    listeners.error!({ message: 'out of memory' } as ErrorEvent);
    const error = await job.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailed);
    expect((error as JobFailed).message).toMatch(/^The engine stopped: out of memory/);
  });
});
