/**
 * The method contract: one definition per method (`MethodDefinition`) maps validated params to
 * an analysis/methods/ function and returns a JSON result with named views. The CLI, the app's
 * worker and notebooks all run methods through this contract and the registry (registry.ts), so
 * one method has one name, one set of params (with defaults and descriptions) and one result.
 * Definitions are written typed and registered erased (`RegisteredMethod`) so the registry can
 * hold every method in one map without `any`.
 */
import type { z } from 'zod';
import type { CltLayer, CrossLayerTranscoder } from '../dictionaries/circuit-tracer.ts';
import type { HostDictionary } from '../dictionaries/dictionary.ts';
import type { ProbeDataset } from '../methods/probe-data.ts';
import type { Model } from '../model/model.ts';
import type { FigureType, View, ViewKind } from './views.ts';
import type { Json } from '../json.ts';

/** What a method reads besides the model. */
export type MethodInputKind = 'prompts' | 'dataset' | 'none';

/** A prompt reference inside params: an index into the prompt set, or a prompt's label. */
export type PromptRef = number | string;

/** One prompt: text (tokenized by the model) or token ids (used exactly). */
export type PromptItem = { readonly label?: string; readonly text: string } | { readonly label?: string; readonly ids: readonly number[] };

export interface PromptSet {
  /** Where the prompts come from, named in errors (a notebook's prompts cell id, "command line"). */
  readonly cell: string;
  readonly items: readonly PromptItem[];
  readonly prependBos?: boolean;
}

/** What progress is counted in. */
export type ProgressUnit = 'bytes' | 'layers' | 'positions' | 'samples' | 'tokens' | 'heads' | 'passes' | 'cells' | 'tensors';

/**
 * How a host runs a method: cancel through `signal` (honoured before every forward pass's
 * read-back, see passes.ts), progress as `done` of `total` units (a method plans its passes;
 * `done` never exceeds `total`, and `total` may shrink when a method re-plans).
 */
export interface RunContext {
  readonly signal: AbortSignal;
  onProgress(done: number, total: number, unit: ProgressUnit): void;
}

/** The inputs a method reads besides the model and params. */
export interface MethodInputs {
  /** The prompt set params refer to; null unless the method's input is 'prompts'. */
  readonly prompts: PromptSet | null;
  /** The dataset the method reads; null unless the method's input is 'dataset'. */
  readonly dataset: ProbeDataset | null;
  /**
   * Opens the sparse dictionaries a params field names (a folder path, `builtin:NAME`): the host
   * knows where files live. Absent in hosts that cannot open dictionaries.
   */
  readonly dictionaries?: DictionaryResolver;
  /** Opens a circuit-tracer cross-layer transcoder a params field names; null when the reference is not one. */
  readonly crossLayerTranscoder?: (ref: string, field: string) => Promise<CrossLayerTranscoder | null>;
  /**
   * Every layer of a cross-layer transcoder the resolver opened, decoder rows included. A host
   * that runs many methods keeps them between runs (analysis/dictionaries/clt-layer-cache.ts);
   * absent, each run reads them (`cltLayers`).
   */
  readonly cltLayers?: (clt: CrossLayerTranscoder) => Promise<CltLayer[]>;
}

/** Dictionaries by reference; `field` names the params field in errors. */
export type DictionaryResolver = (ref: string, field: string) => Promise<HostDictionary[]>;

/** What a host passes to `RegisteredMethod.run`. */
export type MethodRun = RunContext & MethodInputs;

/** What a definition's `run` sees: the inputs, the signal, and where to report its planned passes. */
export interface MethodContext extends MethodInputs {
  readonly signal: AbortSignal;
  /**
   * The number of forward passes (read-backs) the method expects to make from here on, once it
   * knows (e.g. after tokenizing). Passes are counted by the model the definition was given.
   * Called again, the new count replaces what was left of the earlier plan (it may be smaller).
   */
  plan(passes: number): void;
  /** Progress in another unit (samples, …) for stages that are not counted in passes. */
  report(done: number, total: number, unit: ProgressUnit): void;
}

/** How the CLI names a method and its flags beside the generated ones. */
export interface CliSpec {
  /** Older command names that keep working (README commands). */
  readonly aliases?: readonly string[];
  /** Older flag names → the generated flag they stand for (e.g. `pos-tokens` → `positive`). */
  readonly flagAliases?: Readonly<Record<string, string>>;
  /** Views printed as text without --json (default: the default figure's view). */
  readonly textViews?: readonly string[];
  /** Series views printed largest |value| first (e.g. DLA components). */
  readonly sortedViews?: readonly string[];
  /** `--save FILE` writes this result field as JSON (e.g. trained probes). */
  readonly save?: { readonly field: string; readonly what: string };
}

export interface PromptRefUse {
  /** The params field, e.g. "clean" — named in the error when the reference is dangling. */
  readonly field: string;
  readonly ref: PromptRef;
}

export interface MethodDefinition<P extends z.ZodType, R extends Json> {
  /** The one name of the method (notebooks, CLI command, app), e.g. "logit-lens". */
  readonly method: string;
  readonly title: string;
  /** One line for the app's method picker. */
  readonly description: string;
  /** Bump when the result's shape or meaning changes: it is part of every cache key. */
  readonly version: number;
  readonly params: P;
  readonly input: MethodInputKind;
  /** Prompt references in params, checked against the prompts cell when a notebook is validated. */
  readonly promptRefs?: (params: z.output<P>) => PromptRefUse[];
  /** The views this step's results offer, by name. */
  readonly views: Readonly<Record<string, ViewKind>>;
  readonly defaultFigure: { readonly view: string; readonly type: FigureType };
  readonly cli?: CliSpec;
  /** `model` counts its forward passes into the host's progress and stops when cancelled. */
  run(model: Model, params: z.output<P>, ctx: MethodContext): Promise<R>;
  view(result: R, name: string): View;
}

export type ParamsCheck = { readonly ok: true; readonly value: Json } | { readonly ok: false; readonly issues: readonly { path: string; message: string }[] };

/** A method as the registry and its hosts see it: params and results as JSON. */
export interface RegisteredMethod {
  readonly method: string;
  readonly title: string;
  readonly description: string;
  readonly version: number;
  readonly input: MethodInputKind;
  readonly views: Readonly<Record<string, ViewKind>>;
  readonly defaultFigure: { readonly view: string; readonly type: FigureType };
  /** The params schema, for editors that build forms from it (validate with `checkParams`). */
  readonly paramsSchema: z.ZodType;
  /** The params with defaults applied (the cache key hashes these), or the issues. */
  checkParams(params: unknown): ParamsCheck;
  promptRefs(params: Json): PromptRefUse[];
  readonly cli: CliSpec;
  /** Parses params with the schema (defaults applied), runs, and returns the JSON result. */
  run(model: Model, params: unknown, ctx: MethodRun): Promise<Json>;
  view(result: Json, name: string): View;
}
