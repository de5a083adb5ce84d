/**
 * Autosave: the UI calls `schedule(value)` on every edit; the value is written after a quiet
 * period (debounce), one save at a time, always the latest value (intermediate ones are
 * skipped). Each save is one IndexedDB transaction, so closing the window mid-save loses at most
 * the edit being written, never what was saved before. Failures are reported through
 * `onStatus` (and by `flush`, which rejects), never swallowed; the unsaved value is kept and
 * written again by the next `schedule` or `flush`.
 */

export type AutosaveState = 'idle' | 'pending' | 'saving' | 'saved' | 'error';

export interface AutosaveStatus {
  readonly state: AutosaveState;
  /** The last failure while state is 'error'. */
  readonly error: Error | null;
  /** When the last successful save finished (epoch ms). */
  readonly savedAt: number | null;
}

export interface AutosaveOptions {
  /** Quiet period after the last edit before saving; default 800 ms. */
  readonly delayMs?: number;
  readonly onStatus?: (status: AutosaveStatus) => void;
}

export interface Autosaver<T> {
  /** Remembers `value` as the latest and (re)starts the quiet period. */
  schedule(value: T): void;
  /** Saves the latest unsaved value now and resolves when everything is saved; rejects on failure. */
  flush(): Promise<void>;
  status(): AutosaveStatus;
  /** Flushes, then stops. */
  dispose(): Promise<void>;
}

const NOTHING = Symbol('nothing pending');

export function createAutosaver<T>(save: (value: T) => Promise<void>, options: AutosaveOptions = {}): Autosaver<T> {
  const delayMs = options.delayMs ?? 800;
  let pending: T | typeof NOTHING = NOTHING;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let inFlight: Promise<void> | null = null;
  let disposed = false;
  let current: AutosaveStatus = { state: 'idle', error: null, savedAt: null };

  const setStatus = (next: Partial<AutosaveStatus>) => {
    current = { ...current, ...next };
    options.onStatus?.(current);
  };

  /** Writes pending values until none is left; one save at a time. */
  const drain = async (): Promise<void> => {
    while (pending !== NOTHING) {
      const value = pending;
      pending = NOTHING;
      setStatus({ state: 'saving' });
      try {
        await save(value);
      } catch (e) {
        // Keep the value unless a newer edit arrived meanwhile: it is still unsaved.
        if (pending === NOTHING) pending = value;
        const error = e instanceof Error ? e : new Error(String(e));
        setStatus({ state: 'error', error });
        throw error;
      }
      setStatus({ state: pending === NOTHING ? 'saved' : 'pending', error: null, savedAt: Date.now() });
    }
  };

  const run = (): Promise<void> => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (inFlight === null) {
      inFlight = drain().finally(() => {
        inFlight = null;
      });
      return inFlight;
    }
    // A save is running: wait for it, then write whatever is newer.
    return inFlight.catch(() => undefined).then(() => (pending === NOTHING ? undefined : run()));
  };

  return {
    schedule(value: T) {
      if (disposed) throw new Error('autosave: schedule() after dispose()');
      pending = value;
      setStatus({ state: 'pending' });
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        // The failure is already reported through onStatus; the timer has nobody else to tell.
        run().catch(() => undefined);
      }, delayMs);
    },
    async flush() {
      if (pending === NOTHING && inFlight === null) {
        if (current.state === 'error' && current.error) throw current.error;
        return;
      }
      await run();
    },
    status: () => current,
    async dispose() {
      try {
        await this.flush();
      } finally {
        disposed = true;
      }
    },
  };
}

/**
 * Flushes when the page is hidden or unloaded (tab switch, window close): the last edit gets
 * its transaction started while the page can still run. Returns a function that uninstalls.
 */
export function flushOnHide(autosaver: Pick<Autosaver<unknown>, 'flush'>, target: Pick<Window, 'addEventListener' | 'removeEventListener'> & { document?: { visibilityState: string } } = window): () => void {
  const flush = () => {
    // The failure surfaces through onStatus; an event listener cannot do more with it.
    autosaver.flush().catch(() => undefined);
  };
  const onVisibility = () => {
    if (target.document?.visibilityState === 'hidden') flush();
  };
  target.addEventListener('pagehide', flush);
  target.addEventListener('visibilitychange', onVisibility);
  return () => {
    target.removeEventListener('pagehide', flush);
    target.removeEventListener('visibilitychange', onVisibility);
  };
}
