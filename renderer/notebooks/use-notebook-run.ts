/**
 * Running the open notebook in the worker (the "notebook" job): all cells or one cell and those
 * above it, with live per-cell progress, cancel, and the outputs recorded with their cells.
 */
import { useCallback, useMemo, useState } from 'react';
import { useJob } from '../app/use-job.ts';
import type { JobState } from '../app/use-job.ts';
import type { NotebookCacheTarget } from '../worker/notebook-contracts.ts';
import type { LiveRun, RunRecord } from './run-record.ts';
import { EMPTY_RECORD, recordRun } from './run-record.ts';
import type { NotebookEditor } from './use-notebook-editor.ts';

export interface NotebookRunner {
  readonly job: JobState<'notebook'>;
  readonly record: RunRecord;
  readonly live: LiveRun | null;
  /** Runs every cell, or cell `upTo` and every cell above it. */
  run(upTo?: number): void;
  cancel(): void;
  /** Forgets the outputs (a new notebook was opened). */
  reset(): void;
}

export function useNotebookRun(editor: NotebookEditor, modelIdentity: string | null, cache: NotebookCacheTarget): NotebookRunner {
  const job = useJob('notebook');
  const [record, setRecord] = useState<RunRecord>(EMPTY_RECORD);
  const [runKeys, setRunKeys] = useState<readonly string[]>([]);
  const { state, signatures } = editor;
  const { run: start } = job;

  const run = useCallback(
    (upTo?: number) => {
      if (modelIdentity === null) return;
      const last = upTo ?? state.doc.cells.length - 1;
      const keys = state.keys;
      const sigs = signatures;
      setRunKeys(keys.slice(0, last + 1));
      const started = performance.now();
      void start({ notebook: state.doc, upTo: last, modelIdentity, cache }).then((result) => {
        if (result) setRecord((prev) => recordRun(prev, keys, sigs, result, { ms: performance.now() - started, inProject: cache.kind === 'project' }, last));
      });
    },
    [start, state, signatures, modelIdentity, cache],
  );

  const live = useMemo<LiveRun | null>(
    () => (job.state.status === 'running' ? { keys: runKeys, done: job.state.progress?.done ?? 0, stage: job.state.progress?.stage ?? 'starting' } : null),
    [job.state, runKeys],
  );

  const reset = useCallback(() => setRecord(EMPTY_RECORD), []);
  return { job: job.state, record, live, run, cancel: job.cancel, reset };
}
