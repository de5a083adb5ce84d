/**
 * Reopening a pinned run: the drawer's "Reopen" goes to the view the run was pinned in (its
 * experiment's kind is the view id) and that view shows the pinned figure, as stored, with the
 * run's parameters above it (ReopenedRun.tsx), until closed.
 */
import { createContext, useCallback, useContext, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { Intervention } from '../../analysis/hooks/interventions.ts';

export interface ReopenedRun {
  /** The view to show it in (app/views.ts id). */
  readonly view: string;
  readonly title: string;
  /** The stored Plotly figure ({data, layout}). */
  readonly figure: unknown;
  readonly params: unknown;
  /** The interventions it ran with; undefined for runs saved before they were recorded. */
  readonly interventions?: readonly Intervention[];
  readonly createdAt: number;
}

export interface ReopenApi {
  readonly reopened: ReopenedRun | null;
  reopen(run: ReopenedRun): void;
  close(): void;
}

const ReopenContext = createContext<ReopenApi | null>(null);

export function ReopenProvider({ children }: { children: ReactNode }) {
  const [reopened, setReopened] = useState<ReopenedRun | null>(null);
  const reopen = useCallback((run: ReopenedRun) => {
    setReopened(run);
    // The shell follows the hash (app/use-hash-view.ts).
    if (location.hash !== `#${run.view}`) location.hash = run.view;
  }, []);
  const close = useCallback(() => setReopened(null), []);
  const api = useMemo(() => ({ reopened, reopen, close }), [reopened, reopen, close]);
  return <ReopenContext.Provider value={api}>{children}</ReopenContext.Provider>;
}

/** Null where no provider is mounted (tests that draw a view alone). */
export function useReopen(): ReopenApi | null {
  return useContext(ReopenContext);
}
