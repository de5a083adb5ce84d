/**
 * The worker's state: the model currently open (one at a time), and the interventions every job
 * runs it with (the prompt workspace's list). Loading a new model replaces it only once the new
 * one is fully loaded, so a failed load leaves the old model usable; a new model starts plain.
 */
import type { StandingInterventions } from '../../analysis/hooks/standing.ts';
import { withStanding } from '../../analysis/hooks/standing.ts';
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
  private standing: StandingInterventions | null = null;

  get open(): OpenModel | null {
    return this.current;
  }

  /** Makes `next` the open model and frees the previous one's weights on its backend. */
  replace(next: OpenModel): void {
    const previous = this.current;
    this.current = next;
    this.standing = null;
    if (previous) {
      mapWeights(previous.model.weights, (t) => previous.model.backend.dispose(t));
      if (previous.model.backend !== next.model.backend) releaseBackend(previous.model.backend);
    }
  }

  /** The open model with the standing interventions: what every analysis runs. */
  requireModel(): Model {
    return withStanding(this.requirePlainModel(), this.standing);
  }

  /** The open model without interventions (hook catalogue, the activations interventions copy). */
  requirePlainModel(): Model {
    if (!this.current) throw new JobInputError('No model is open yet.');
    return this.current.model;
  }

  /** Interventions (checked, with their caches) for every later job; null for none. */
  setStanding(standing: StandingInterventions | null): void {
    this.standing = standing;
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
