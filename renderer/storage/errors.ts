/**
 * Storage failures as errors a person can act on. Every write goes through `guardWrite`, which
 * turns IndexedDB's quota failure (however Dexie wraps it) into a StorageQuotaError saying what
 * was being saved, how full the storage is, and that nothing was changed (the transaction was
 * rolled back). Other failures are rethrown with the same "what was being saved" prefix; none
 * is swallowed.
 */

export class StorageError extends Error {
  override readonly name: string = 'StorageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The browser refused to store more data for this site. */
export class StorageQuotaError extends StorageError {
  override readonly name = 'StorageQuotaError';
}

/**
 * A project or part that does not exist (or was deleted). Not called "NotFoundError": Dexie
 * turns any error of that name (a DOMException name) into its own class, losing ours.
 */
export class MissingRecordError extends StorageError {
  override readonly name = 'MissingRecordError';
}

const QUOTA_NAMES = new Set(['QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED']);

/** True when `error` or anything it wraps (Dexie's `inner`, `cause`) is a quota failure. */
export function isQuotaError(error: unknown): boolean {
  const seen = new Set<unknown>();
  let e: unknown = error;
  while (typeof e === 'object' && e !== null && !seen.has(e)) {
    seen.add(e);
    const { name, inner, cause } = e as { name?: unknown; inner?: unknown; cause?: unknown };
    if (typeof name === 'string' && QUOTA_NAMES.has(name)) return true;
    e = inner ?? cause;
  }
  return false;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

async function usageNote(): Promise<string> {
  try {
    const estimate = await globalThis.navigator?.storage?.estimate?.();
    if (estimate?.usage !== undefined && estimate.quota !== undefined) {
      return ` (${megabytes(estimate.usage)} used of ${megabytes(estimate.quota)} allowed)`;
    }
  } catch {
    // The estimate is only a hint for the message; the quota error itself is what matters.
  }
  return '';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs one write (a whole Dexie transaction) and reports its failure as a StorageError.
 * `what` completes "Could not save …", e.g. `experiment "logit lens" in project "Induction"`.
 */
export async function guardWrite<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof StorageError) throw error;
    if (isQuotaError(error)) {
      throw new StorageQuotaError(
        `Could not save ${what}: the browser's storage for Probescope is full${await usageNote()}. ` +
          'Nothing was changed. Free space by purging deleted projects or deleting experiments you no longer need ' +
          '(export projects to .probescope files first to keep them).',
        { cause: error },
      );
    }
    throw new StorageError(`Could not save ${what}: ${messageOf(error)}. Nothing was changed.`, { cause: error });
  }
}
