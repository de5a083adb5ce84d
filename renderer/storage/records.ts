/**
 * The rows of the project database (schema version 2, see schema.ts). Every row but the project
 * itself carries `projectId`, indexed, so a project's parts are found, duplicated, exported and
 * purged together. Times are epoch milliseconds.
 */
import type { ModelIdentity } from '../../analysis/formats/model-identity.ts';
import type { Intervention } from '../../analysis/hooks/interventions.ts';
import type { StoredValue } from './stored-value.ts';

/**
 * How a model is identified: the name the user saw and digests of its files (its identity).
 * `hash` is null when the model's files were not available to hash.
 */
export interface ModelReference {
  readonly name: string;
  readonly hash: ModelHash | null;
}

/**
 * A model's digests (analysis/formats/model-identity.ts), or those written by Probescope before
 * there was one identity (`LegacyModelHash`): kept as stored, never compared with today's.
 */
export type ModelHash = ModelIdentity | LegacyModelHash;

/** Scheme "probescope-sampled-v1": config.json, and safetensors headers with 16 sampled windows. */
export interface LegacyModelHash {
  readonly scheme: 'probescope-sampled-v1';
  readonly config: string;
  readonly weights: string;
  readonly weightBytes: number;
}

export interface ProjectRow {
  readonly id: string;
  readonly name: string;
  readonly model: ModelReference | null;
  readonly createdAt: number;
  /** Bumped by every write to the project or any of its parts. */
  readonly updatedAt: number;
  /** Set by delete (soft: restorable until purged); null while the project is live. */
  readonly deletedAt: number | null;
}

/** One entry of the prompt workspace's intervention list, on or off. */
export interface SavedIntervention {
  readonly enabled: boolean;
  readonly intervention: Intervention;
}

export interface PromptRow {
  readonly id: string;
  readonly projectId: string;
  readonly name: string;
  readonly text: string;
  /** The corrupted prompt of a clean/corrupted pair (patching); null for a single prompt. */
  readonly corrupted: string | null;
  /** The workspace's intervention list saved with the prompt, in order; absent when none was saved. */
  readonly interventions?: readonly SavedIntervention[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface DatasetItem {
  readonly text: string;
  readonly label: string | number | null;
}

export interface DatasetRow {
  readonly id: string;
  readonly projectId: string;
  readonly name: string;
  readonly items: readonly DatasetItem[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One run of an analysis: what was asked. Its result lives in `results` under the same id. */
export interface ExperimentRow {
  readonly id: string;
  readonly projectId: string;
  /** The method, e.g. "logit-lens" or "attention". */
  readonly kind: string;
  readonly label: string;
  readonly params: StoredValue;
  /** The model it ran on. */
  readonly model: ModelReference | null;
  /**
   * The interventions the model ran with (the prompt workspace's list), in order; absent in
   * runs saved before interventions were recorded, empty for the plain model.
   */
  readonly interventions?: readonly Intervention[];
  readonly createdAt: number;
}

/**
 * An experiment's result, kept apart from the experiment so that listing a project's
 * experiments never loads their arrays (schema version 2).
 */
export interface ResultRow {
  readonly id: string;
  readonly projectId: string;
  readonly value: StoredValue;
}

export interface FigureRow {
  readonly id: string;
  readonly projectId: string;
  /** The experiment whose result it shows, if any. */
  readonly experimentId: string | null;
  readonly title: string;
  /** A Plotly figure: `{data, layout}` (typed arrays allowed in traces). */
  readonly figure: StoredValue;
  readonly createdAt: number;
}

export interface ProbeRow {
  readonly id: string;
  readonly projectId: string;
  readonly name: string;
  readonly probe: StoredValue;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NotebookRow {
  readonly id: string;
  readonly projectId: string;
  readonly name: string;
  readonly notebook: StoredValue;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Everything a project holds; what duplicate, export and import move as one unit. */
export interface ProjectContents {
  readonly project: ProjectRow;
  readonly prompts: readonly PromptRow[];
  readonly datasets: readonly DatasetRow[];
  readonly experiments: readonly ExperimentRow[];
  readonly results: readonly ResultRow[];
  readonly figures: readonly FigureRow[];
  readonly probes: readonly ProbeRow[];
  readonly notebooks: readonly NotebookRow[];
}

/** The child tables, in the order they are written. */
export const CHILD_TABLES = ['prompts', 'datasets', 'experiments', 'results', 'figures', 'probes', 'notebooks'] as const;
export type ChildTable = (typeof CHILD_TABLES)[number];
