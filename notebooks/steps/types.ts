/**
 * The contract between the runner and one analysis method: a step adapter maps validated params
 * to the method's function, returns a JSON result, and offers named views of that result for
 * figures. Adapters are written typed (`StepDefinition`) and registered erased (`RegisteredStep`)
 * so the registry can hold every method in one map without `any`.
 */
import type { z } from 'zod';
import type { ProbeDataset } from '../../analysis/methods/probe-data.ts';
import type { Model } from '../../analysis/model/model.ts';
import type { FigureType, View, ViewKind } from '../figures/views.ts';
import type { Json } from '../json.ts';
import type { PromptItem } from '../schema.ts';

/** What a step reads besides the model. */
export type StepInputKind = 'prompts' | 'dataset' | 'none';

/** A prompt reference inside params: an index into the prompts cell, or a prompt's label. */
export type PromptRef = number | string;

export interface PromptSet {
  /** The prompts cell's id. */
  readonly cell: string;
  readonly items: readonly PromptItem[];
  readonly prependBos?: boolean;
}

export interface StepContext {
  readonly model: Model;
  /** The prompts cell the step reads; null unless the step's input is 'prompts'. */
  readonly prompts: PromptSet | null;
  /** The dataset the step reads; null unless the step's input is 'dataset'. */
  readonly dataset: ProbeDataset | null;
  /** Aborts between the step's own stages; the runner also checks it between cells. */
  readonly signal: AbortSignal;
  /** Progress within the step, 0..1. */
  readonly progress: (fraction: number, message?: string) => void;
}

export interface PromptRefUse {
  /** The params field, e.g. "clean" — named in the error when the reference is dangling. */
  readonly field: string;
  readonly ref: PromptRef;
}

export interface StepDefinition<P extends z.ZodType, R extends Json> {
  /** The registry name used in notebooks, e.g. "logit-lens". */
  readonly method: string;
  readonly title: string;
  /** One line for the app's method picker. */
  readonly description: string;
  /** Bump when the result's shape or meaning changes: it is part of every cache key. */
  readonly version: number;
  readonly params: P;
  readonly input: StepInputKind;
  /** Prompt references in params, checked against the prompts cell when a notebook is validated. */
  readonly promptRefs?: (params: z.output<P>) => PromptRefUse[];
  /** The views this step's results offer, by name. */
  readonly views: Readonly<Record<string, ViewKind>>;
  readonly defaultFigure: { readonly view: string; readonly type: FigureType };
  run(ctx: StepContext, params: z.output<P>): Promise<R>;
  view(result: R, name: string): View;
}

export type ParamsCheck = { readonly ok: true; readonly value: Json } | { readonly ok: false; readonly issues: readonly { path: string; message: string }[] };

/** A step as the registry and runner see it: params and results as JSON. */
export interface RegisteredStep {
  readonly method: string;
  readonly title: string;
  readonly description: string;
  readonly version: number;
  readonly input: StepInputKind;
  readonly views: Readonly<Record<string, ViewKind>>;
  readonly defaultFigure: { readonly view: string; readonly type: FigureType };
  /** The params schema, for editors that build forms from it (validate with `checkParams`). */
  readonly paramsSchema: z.ZodType;
  /** The params with defaults applied (the cache key hashes these), or the issues. */
  checkParams(params: unknown): ParamsCheck;
  promptRefs(params: Json): PromptRefUse[];
  run(ctx: StepContext, params: Json): Promise<Json>;
  view(result: Json, name: string): View;
}
