/**
 * The worker's state: the model currently open (one at a time). Loading a new model replaces
 * it only once the new one is fully loaded, so a failed load leaves the old model usable.
 */
import type { Model } from '../../analysis/model/model.ts';
import { mapWeights } from '../../analysis/model/weights.ts';
import type { ModelCard, ModelSourceRequest } from './contracts.ts';
import { JobInputError } from './errors.ts';
import { releaseBackend } from './webgpu-backend.ts';

export interface OpenModel {
  readonly model: Model;
  readonly card: ModelCard;
  /** Where it was read from, so the same weights can be read again (backend comparison). */
  readonly source?: ModelSourceRequest;
}

export class EngineSession {
  private current: OpenModel | null = null;

  get open(): OpenModel | null {
    return this.current;
  }

  /** Makes `next` the open model and frees the previous one's weights on its backend. */
  replace(next: OpenModel): void {
    const previous = this.current;
    this.current = next;
    if (previous) {
      mapWeights(previous.model.weights, (t) => previous.model.backend.dispose(t));
      if (previous.model.backend !== next.model.backend) releaseBackend(previous.model.backend);
    }
  }

  requireModel(): Model {
    if (!this.current) throw new JobInputError('No model is open yet.');
    return this.current.model;
  }

  /** Checks token ids against the open model's vocabulary and context. */
  requireIds(ids: readonly number[]): number[] {
    const { spec } = this.requireModel();
    if (ids.length === 0) throw new JobInputError('The prompt has no tokens.');
    if (ids.length > spec.nCtx) throw new JobInputError(`The prompt is ${ids.length} tokens long; the model's context is ${spec.nCtx}.`);
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= spec.dVocab) throw new JobInputError(`Token id ${id} is outside the vocabulary [0, ${spec.dVocab}).`);
    }
    return [...ids];
  }
}
