/**
 * The prompt workspace's intervention list, app-wide: the entries (each on or off, in order),
 * the open model's hook points, each entry's problems against that model, and what the engine
 * runs with. Whenever the enabled, valid entries (or a prompt they read) change, they are sent
 * to the worker (`setInterventions`), which applies them to every later job of every view.
 * `applied` is the worker's answer, so badges and pinned runs state what really ran.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { checkIntervention } from '../../analysis/hooks/check-interventions.ts';
import type { Intervention } from '../../analysis/hooks/interventions.ts';
import type { HookPoint } from '../../analysis/hooks/points.ts';
import { useModel } from '../app/model-state.tsx';
import { idsOf, usePrompt } from '../app/prompt-state.tsx';
import { useJob } from '../app/use-job.ts';
import type { PromptCacheName, SetInterventionsParams, SetInterventionsResult } from '../worker/intervention-contracts.ts';
import { PROMPT_CACHES } from '../worker/intervention-contracts.ts';
import type { SavedIntervention } from '../storage/records.ts';
import type { InterventionEntry } from './draft.ts';
import { moveEntry, removeEntry, runnableInterventions, toggleEntry } from './draft.ts';

export interface InterventionState {
  readonly entries: readonly InterventionEntry[];
  /** The open model's hook points; null while they are read or without a model. */
  readonly points: readonly HookPoint[] | null;
  /** The prompts whose activations `source` / `reference` can name now. */
  readonly caches: readonly PromptCacheName[];
  /** Why an intervention cannot run on the open model (empty when it can). */
  problemsOf(iv: unknown): readonly string[];
  add(iv: Intervention): void;
  toggle(id: number): void;
  move(id: number, delta: number): void;
  remove(id: number): void;
  /** Replaces the list (a reopened run's interventions), all on. */
  replaceAll(list: readonly Intervention[]): void;
  /** Replaces the list with saved entries, each on or off as saved (a project's working prompt). */
  restore(saved: readonly SavedIntervention[]): void;
  /** What the engine runs every job with (null until it answered for the open model). */
  readonly applied: SetInterventionsResult | null;
  /** The engine is taking a new list. */
  readonly pending: boolean;
  /** Why the engine refused the last list (it keeps the previous one), or null. */
  readonly error: string | null;
  /** Bumped whenever `applied` changes, so results computed before can be recomputed. */
  readonly revision: number;
}

const InterventionContext = createContext<InterventionState | null>(null);

export function InterventionProvider({ children }: { children: ReactNode }) {
  const { card } = useModel();
  const { clean, corrupted, pairMode } = usePrompt();
  const [entries, setEntries] = useState<readonly InterventionEntry[]>([]);
  const nextId = useRef(1);
  const modelKey = card ? `${card.label}@${card.loadMs}` : null;

  const hookJob = useJob('hookPoints');
  const [points, setPoints] = useState<readonly HookPoint[] | null>(null);
  const runHooks = hookJob.run;
  useEffect(() => {
    setPoints(null);
    if (modelKey === null) return;
    void runHooks({}).then((r) => r && setPoints(r.points));
  }, [modelKey, runHooks]);

  // Token ids as keys, so a re-tokenised but unchanged prompt changes nothing.
  const cleanKey = idsOf(clean)?.join(',') ?? null;
  const corruptedKey = pairMode ? (idsOf(corrupted)?.join(',') ?? null) : null;
  const hasClean = cleanKey !== null;
  const hasCorrupted = corruptedKey !== null;
  const caches = useMemo(() => {
    const names: PromptCacheName[] = [];
    if (hasClean) names.push(PROMPT_CACHES.clean);
    if (hasCorrupted) names.push(PROMPT_CACHES.corrupted);
    return names;
  }, [hasClean, hasCorrupted]);

  const problemsOf = useCallback(
    (iv: unknown) => (card && points ? checkIntervention(iv, points, card, caches).problems : []),
    [card, points, caches],
  );

  // The enabled entries that can run, and the prompts they read: the engine's next list.
  const request = useMemo<SetInterventionsParams | null>(() => {
    if (!card || !points) return null;
    const active = runnableInterventions(entries, problemsOf);
    const uses = (name: PromptCacheName) => active.some((iv) => iv.source === name || iv.reference === name);
    const prompts: Partial<Record<PromptCacheName, readonly number[]>> = {};
    if (uses(PROMPT_CACHES.clean) && cleanKey) prompts[PROMPT_CACHES.clean] = cleanKey.split(',').map(Number);
    if (uses(PROMPT_CACHES.corrupted) && corruptedKey) prompts[PROMPT_CACHES.corrupted] = corruptedKey.split(',').map(Number);
    return { interventions: active, prompts };
  }, [card, points, entries, problemsOf, cleanKey, corruptedKey]);

  const setJob = useJob('setInterventions');
  const [applied, setApplied] = useState<SetInterventionsResult | null>(null);
  const [revision, setRevision] = useState(0);
  // Sent when the list's content changes (not on every re-render that rebuilds an equal request).
  const requestKey = request ? `${modelKey}|${JSON.stringify(request)}` : null;
  const latest = useRef(request);
  latest.current = request;
  const runSet = setJob.run;
  useEffect(() => {
    if (requestKey === null || !latest.current) {
      // A new model starts plain in the engine.
      setApplied(null);
      return;
    }
    void runSet(latest.current).then((r) => {
      if (!r) return;
      setApplied(r);
      setRevision((v) => v + 1);
    });
  }, [requestKey, runSet]);

  const add = useCallback((iv: Intervention) => setEntries((list) => [...list, { id: nextId.current++, enabled: true, intervention: iv }]), []);
  const restore = useCallback(
    (saved: readonly SavedIntervention[]) => setEntries(saved.map((s) => ({ id: nextId.current++, enabled: s.enabled, intervention: s.intervention }))),
    [],
  );
  const replaceAll = useCallback((list: readonly Intervention[]) => restore(list.map((intervention) => ({ enabled: true, intervention }))), [restore]);
  const toggle = useCallback((id: number) => setEntries((list) => toggleEntry(list, id)), []);
  const move = useCallback((id: number, delta: number) => setEntries((list) => moveEntry(list, id, delta)), []);
  const remove = useCallback((id: number) => setEntries((list) => removeEntry(list, id)), []);

  const pending = setJob.state.status === 'running';
  const error = setJob.state.status === 'failed' ? setJob.state.error.message : null;
  const value = useMemo<InterventionState>(
    () => ({ entries, points, caches, problemsOf, add, toggle, move, remove, replaceAll, restore, applied, pending, error, revision }),
    [entries, points, caches, problemsOf, add, toggle, move, remove, replaceAll, restore, applied, pending, error, revision],
  );
  return <InterventionContext.Provider value={value}>{children}</InterventionContext.Provider>;
}

/** Null where no provider is mounted (a view drawn alone in a test). */
export function useOptionalInterventions(): InterventionState | null {
  return useContext(InterventionContext);
}

export function useInterventions(): InterventionState {
  const state = useContext(InterventionContext);
  if (!state) throw new Error('useInterventions outside <InterventionProvider>');
  return state;
}
