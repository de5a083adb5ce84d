/**
 * Tracks every tensor a piece of engine code creates so it can be released in one go afterwards
 * (GPU memory does not garbage-collect). Wraps a backend; tensors passed in from outside
 * (weights, caches) are never touched.
 */
import type { Backend, Tensor } from '../../gpu/backend.ts';

const UNTRACKED = new Set<PropertyKey>(['info', 'read', 'dispose', 'sync', 'stage']);

export interface TensorScope {
  readonly backend: Backend;
  /** Disposes everything created through `backend` except `keep`, which stays tracked. */
  release(keep?: Iterable<Tensor>): void;
}

export function tensorScope(backend: Backend): TensorScope {
  const made: Tensor[] = [];
  const wrapped = new Proxy(backend, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (UNTRACKED.has(prop)) return value.bind(target);
      return (...args: unknown[]) => {
        const out = value.apply(target, args) as Tensor;
        made.push(out);
        return out;
      };
    },
  });
  return {
    backend: wrapped,
    release(keep = []) {
      const kept = new Set(keep);
      for (const t of made) if (!kept.has(t)) backend.dispose(t);
      made.splice(0, made.length, ...made.filter((t) => kept.has(t)));
    },
  };
}
