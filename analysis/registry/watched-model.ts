/**
 * Methods in analysis/methods/ run whole analyses (many forward passes) in one call and take no
 * progress or cancel callbacks. Every pass ends with `backend.read`, so a model whose backend
 * checkpoints before each read lets a job be cancelled between passes and count them, without
 * the methods knowing. Every other backend call goes to the real backend unchanged (bound to
 * it, so tensor ownership checks still see the real backend).
 */
import type { Backend, Tensor } from '../../gpu/backend.ts';
import type { Model } from '../model/model.ts';

export interface PassWatcher {
  /** Awaited before every read-back; throws to stop the method (cancellation). */
  beforeRead(): Promise<void>;
  /** Called after every read-back. */
  afterRead?(): void;
}

export function watchedBackend(backend: Backend, watcher: PassWatcher): Backend {
  return new Proxy(backend, {
    get(target, prop) {
      if (prop === 'read') {
        return async (tensors: readonly Tensor[]) => {
          await watcher.beforeRead();
          const data = await target.read(tensors);
          watcher.afterRead?.();
          return data;
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export function watchedModel(model: Model, watcher: PassWatcher): Model {
  return { ...model, backend: watchedBackend(model.backend, watcher) };
}
