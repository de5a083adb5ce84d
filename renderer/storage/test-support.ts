/**
 * Helpers for the storage tests (browser project, real IndexedDB): a fresh database per test,
 * a snapshot of everything in it, and fault injection through Dexie's DBCore middleware, which
 * makes a chosen write fail the way IndexedDB would (e.g. QuotaExceededError) inside the real
 * transaction.
 */
import type { DBCoreMutateRequest } from 'dexie';
import { ProbescopeDb } from './db.ts';
import { allTables } from './tables.ts';

let counter = 0;

export function freshDb(): ProbescopeDb {
  counter += 1;
  return new ProbescopeDb(`probescope-test-${Date.now()}-${counter}-${Math.random().toString(36).slice(2)}`);
}

export async function dropDb(db: ProbescopeDb): Promise<void> {
  db.close();
  await db.delete();
}

/** Every row of every table, keyed by table name (structured-clone copies, typed arrays included). */
export async function snapshot(db: ProbescopeDb): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of allTables(db)) out[table.name] = await table.toArray();
  return out;
}

export interface FaultPlan {
  /** Fails the n-th mutation (1-based, counting every add/put/delete request) of `table`. */
  readonly table: string;
  readonly nth?: number;
  readonly error: () => Error;
}

/**
 * Installs a fault before the database opens. Returns a switch to disarm it. Each matching
 * mutation after arming is counted; the `nth` one rejects with `error()`.
 */
export function injectFault(db: ProbescopeDb, plan: FaultPlan): { disarm(): void; readonly triggered: () => number } {
  let armed = true;
  let seen = 0;
  let triggered = 0;
  db.use({
    stack: 'dbcore',
    name: `fault-${plan.table}`,
    create: (down) => ({
      ...down,
      table: (name) => {
        const table = down.table(name);
        if (name !== plan.table) return table;
        return {
          ...table,
          mutate: (req: DBCoreMutateRequest) => {
            if (armed) {
              seen += 1;
              if (seen === (plan.nth ?? 1)) {
                triggered += 1;
                return Promise.reject(plan.error());
              }
            }
            return table.mutate(req);
          },
        };
      },
    }),
  });
  return {
    disarm: () => {
      armed = false;
    },
    triggered: () => triggered,
  };
}

export function quotaError(): Error {
  return new DOMException('The quota has been exceeded.', 'QuotaExceededError');
}
