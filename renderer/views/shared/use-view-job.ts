/**
 * A view's job plus the prompt tokens it ran on (the editor may have moved on since), so
 * figures label positions with the tokens of the run, and a "prompt changed" note can be shown.
 */
import { useCallback, useState } from 'react';
import type { JobState } from '../../app/use-job.ts';
import { useJob } from '../../app/use-job.ts';
import type { TokenInfo } from '../../worker/contracts.ts';
import type { JobKind, JobParams, JobResult } from '../../worker/protocol.ts';

export interface ViewJob<K extends JobKind> {
  readonly state: JobState<K>;
  readonly result: JobResult<K> | null;
  readonly params: JobParams<K> | null;
  /** Tokens of the clean prompt at run time. */
  readonly tokens: readonly TokenInfo[];
  readonly running: boolean;
  /** A key that changes with every finished run (figure revisions). */
  readonly runKey: string;
  run(params: JobParams<K>, tokens?: readonly TokenInfo[]): void;
  cancel(): void;
}

export function useViewJob<K extends JobKind>(kind: K): ViewJob<K> {
  const job = useJob(kind);
  const [tokens, setTokens] = useState<readonly TokenInfo[]>([]);
  const { run: start } = job;
  const run = useCallback(
    (params: JobParams<K>, runTokens: readonly TokenInfo[] = []) => {
      setTokens(runTokens);
      void start(params);
    },
    [start],
  );
  const done = job.state.status === 'done' ? job.state : null;
  return {
    state: job.state,
    result: done ? done.result : null,
    params: done ? done.params : null,
    tokens,
    running: job.state.status === 'running',
    runKey: done ? `${kind}-${done.elapsedMs}` : kind,
    run,
    cancel: job.cancel,
  };
}
