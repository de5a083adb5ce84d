import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAutosaver, flushOnHide } from './autosave.ts';
import type { AutosaveStatus } from './autosave.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('createAutosaver', () => {
  it('saves the latest value once after the quiet period', async () => {
    const save = vi.fn(async (_v: string) => {});
    const a = createAutosaver(save, { delayMs: 500 });
    a.schedule('a');
    await vi.advanceTimersByTimeAsync(300);
    a.schedule('ab');
    await vi.advanceTimersByTimeAsync(300);
    expect(save).not.toHaveBeenCalled();
    a.schedule('abc');
    await vi.advanceTimersByTimeAsync(500);
    expect(save.mock.calls).toEqual([['abc']]);
    expect(a.status().state).toBe('saved');
  });

  it('never runs two saves at once and writes the newest value after the running one', async () => {
    const gates: Array<ReturnType<typeof deferred>> = [];
    const saved: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const save = async (v: string) => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      const gate = deferred();
      gates.push(gate);
      await gate.promise;
      saved.push(v);
      running -= 1;
    };
    const a = createAutosaver(save, { delayMs: 10 });
    a.schedule('1');
    await vi.advanceTimersByTimeAsync(10);
    a.schedule('2');
    a.schedule('3');
    await vi.advanceTimersByTimeAsync(10);
    expect(gates).toHaveLength(1); // '3' waits for '1'
    gates[0].resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(gates).toHaveLength(2);
    gates[1].resolve();
    await a.flush();
    expect(saved).toEqual(['1', '3']);
    expect(maxRunning).toBe(1);
  });

  it('reports a failure, keeps the unsaved value and writes it on the next flush', async () => {
    const statuses: AutosaveStatus[] = [];
    let fail = true;
    const saved: string[] = [];
    const a = createAutosaver(
      async (v: string) => {
        if (fail) throw new Error('Could not save prompt "x": storage is full');
        saved.push(v);
      },
      { delayMs: 10, onStatus: (s) => statuses.push(s) },
    );
    a.schedule('draft');
    await vi.advanceTimersByTimeAsync(10);
    expect(a.status().state).toBe('error');
    expect(a.status().error?.message).toMatch(/storage is full/);
    expect(statuses.map((s) => s.state)).toEqual(['pending', 'saving', 'error']);
    await expect(a.flush()).rejects.toThrow(/storage is full/);
    fail = false;
    await a.flush();
    expect(saved).toEqual(['draft']);
    expect(a.status()).toMatchObject({ state: 'saved', error: null });
  });

  it('flush saves at once without waiting for the quiet period; dispose flushes', async () => {
    const save = vi.fn(async (_v: number) => {});
    const a = createAutosaver(save, { delayMs: 10_000 });
    a.schedule(1);
    await a.flush();
    expect(save).toHaveBeenCalledWith(1);
    a.schedule(2);
    await a.dispose();
    expect(save).toHaveBeenLastCalledWith(2);
    expect(() => a.schedule(3)).toThrow(/after dispose/);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(save).toHaveBeenCalledTimes(2);
  });
});

describe('flushOnHide', () => {
  it('flushes on pagehide and when the page becomes hidden, until uninstalled', () => {
    const target = new EventTarget() as EventTarget & { document: { visibilityState: string } };
    target.document = { visibilityState: 'visible' };
    const flush = vi.fn(async () => {});
    const uninstall = flushOnHide({ flush }, target);
    target.dispatchEvent(new Event('visibilitychange'));
    expect(flush).not.toHaveBeenCalled();
    target.document.visibilityState = 'hidden';
    target.dispatchEvent(new Event('visibilitychange'));
    target.dispatchEvent(new Event('pagehide'));
    expect(flush).toHaveBeenCalledTimes(2);
    uninstall();
    target.dispatchEvent(new Event('pagehide'));
    expect(flush).toHaveBeenCalledTimes(2);
  });
});
