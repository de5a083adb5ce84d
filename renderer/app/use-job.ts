/**
 * One job slot for a component: run (cancelling the previous run of the slot), follow progress,
 * cancel. The latest run wins; answers of superseded runs are dropped.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { JobError, Progress } from '../worker/contracts.ts';
import type { JobHandle } from '../worker/client.ts';
import { JobCancelled, JobFailed } from '../worker/client.ts';
import type { JobKind, JobParams, JobResult } from '../worker/protocol.ts';
import { useEngine } from './engine.tsx';

export type JobState<K extends JobKind> =
  | { readonly status: 'idle' }
  | { readonly status: 'running'; readonly progress: Progress | null; readonly startedAt: number; readonly stageStartedAt: number }
  | { readonly status: 'done'; readonly result: JobResult<K>; readonly params: JobParams<K>; readonly elapsedMs: number }
  | { readonly status: 'failed'; readonly error: JobError }
  | { readonly status: 'cancelled' };

export interface JobSlot<K extends JobKind> {
  readonly state: JobState<K>;
  /** Starts the job; resolves with its result, or null when it failed, was cancelled or superseded. */
  run(params: JobParams<K>): Promise<JobResult<K> | null>;
  cancel(): void;
}

export function useJob<K extends JobKind>(kind: K): JobSlot<K> {
  const engine = useEngine();
  const [state, setState] = useState<JobState<K>>({ status: 'idle' });
  const current = useRef<JobHandle<K> | null>(null);

  const run = useCallback(
    async (params: JobParams<K>): Promise<JobResult<K> | null> => {
      current.current?.cancel();
      const startedAt = performance.now();
      setState({ status: 'running', progress: null, startedAt, stageStartedAt: startedAt });
      const handle = engine.start(kind, params, (progress) => {
        if (current.current !== handle) return;
        setState((s) =>
          s.status !== 'running'
            ? s
            : { ...s, progress, stageStartedAt: s.progress?.stage === progress.stage ? s.stageStartedAt : performance.now() },
        );
      });
      current.current = handle;
      try {
        const result = await handle.result;
        if (current.current !== handle) return null;
        setState({ status: 'done', result, params, elapsedMs: performance.now() - startedAt });
        return result;
      } catch (e) {
        if (current.current !== handle) return null;
        if (e instanceof JobCancelled) setState({ status: 'cancelled' });
        else if (e instanceof JobFailed) setState({ status: 'failed', error: e.error });
        else setState({ status: 'failed', error: { kind: 'internal', name: 'Error', message: String(e) } });
        return null;
      }
    },
    [engine, kind],
  );

  const cancel = useCallback(() => current.current?.cancel(), []);
  useEffect(() => () => current.current?.cancel(), []);
  return { state, run, cancel };
}
