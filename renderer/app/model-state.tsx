/**
 * The open model, app-wide: opening (built-in on first start, or a picked folder), its card,
 * loading progress, the backend preference. The worker keeps the model; the UI keeps the card.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { BackendPreference, ModelCard, ModelSourceRequest } from '../worker/contracts.ts';
import { builtinSource } from './builtin.ts';
import type { JobState } from './use-job.ts';
import { useJob } from './use-job.ts';

export interface ModelState {
  /** The model in use (stays while another one loads, and if that load fails). */
  readonly card: ModelCard | null;
  readonly load: JobState<'loadModel'>;
  /** What is being opened now (for the loading message). */
  readonly opening: string | null;
  readonly backend: BackendPreference;
  open(source: ModelSourceRequest): void;
  cancelLoad(): void;
  setBackend(backend: BackendPreference): void;
}

const ModelContext = createContext<ModelState | null>(null);

/** `?backend=cpu|cpu-ref|webgpu` in the URL sets the first preference (links, tests); default auto. */
export function initialBackend(search: string = location.search): BackendPreference {
  const value = new URLSearchParams(search).get('backend');
  return value === 'cpu' || value === 'cpu-ref' || value === 'webgpu' ? value : 'auto';
}

function sourceLabel(source: ModelSourceRequest): string {
  return source.kind === 'builtin' ? `builtin:${source.name}` : source.label;
}

export function ModelProvider({ children }: { children: ReactNode }) {
  const job = useJob('loadModel');
  const [card, setCard] = useState<ModelCard | null>(null);
  const [opening, setOpening] = useState<string | null>(null);
  const [backend, setBackendState] = useState<BackendPreference>(initialBackend);
  const lastSource = useRef<ModelSourceRequest | null>(null);
  const { run, cancel } = job;

  const openWith = useCallback(
    async (source: ModelSourceRequest, preference: BackendPreference) => {
      lastSource.current = source;
      setOpening(sourceLabel(source));
      const loaded = await run({ source, backend: preference });
      if (loaded) setCard(loaded);
      setOpening(null);
    },
    [run],
  );

  const open = useCallback((source: ModelSourceRequest) => void openWith(source, backend), [openWith, backend]);

  const setBackend = useCallback(
    (next: BackendPreference) => {
      setBackendState(next);
      // Reopen the current model on the new backend.
      if (lastSource.current) void openWith(lastSource.current, next);
    },
    [openWith],
  );

  // First start: the built-in model, no set-up. (Under StrictMode's simulated remount the first
  // load is cancelled by useJob's cleanup and this effect starts it again.)
  useEffect(() => {
    void openWith(builtinSource(), initialBackend());
  }, [openWith]);

  const value = useMemo<ModelState>(
    () => ({ card, load: job.state, opening, backend, open, cancelLoad: cancel, setBackend }),
    [card, job.state, opening, backend, open, cancel, setBackend],
  );
  return <ModelContext.Provider value={value}>{children}</ModelContext.Provider>;
}

export function useModel(): ModelState {
  const state = useContext(ModelContext);
  if (!state) throw new Error('useModel outside <ModelProvider>');
  return state;
}
