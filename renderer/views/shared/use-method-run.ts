/**
 * A view's run of one registry method (analysis/registry/) through the worker's generic `method`
 * job: params as the method's schema reads them (checked here first, so a view can block its Run
 * button with the schema's own message), the JSON result the CLI and notebooks produce for the
 * same params, progress and cancel, the prompt tokens it ran on, the interventions its model
 * carried (as the worker reports them), and the record a pinned run stores (method, params,
 * view, result, interventions). The dictionaries chosen to be spliced into every method
 * (views/dictionaries/spliced-dictionaries.ts) are added to the params here, so the pinned
 * params name them too, and what a run took from that choice is kept beside its result, so the
 * view can say when the choice has changed since.
 */
import { useCallback, useMemo, useState } from 'react';
import type { Intervention } from '../../../analysis/hooks/interventions.ts';
import type { JobState } from '../../app/use-job.ts';
import type { Json } from '../../../analysis/json.ts';
import type { PromptItem, RegisteredMethod } from '../../../analysis/registry/contract.ts';
import { METHODS } from '../../../analysis/registry/registry.ts';
import type { TokenInfo } from '../../worker/contracts.ts';
import type { MethodJobParams } from '../../worker/method-contracts.ts';
import { useViewJob } from './use-view-job.ts';
import type { RunSplice } from '../dictionaries/spliced-dictionaries.ts';
import { runSplice, useSplicedDictionaries, withSplicedDictionaries } from '../dictionaries/spliced-dictionaries.ts';

export interface MethodRunInputs {
  /** The prompt set params refer to (by index): for the prompt workspace, `[{ ids }]`. */
  readonly prompts?: readonly PromptItem[] | null;
  readonly prependBos?: boolean;
  /** Methods that read a dataset (probe). */
  readonly dataset?: MethodJobParams['dataset'];
  /** Tokens of the clean prompt at run time, for labels and a "prompt changed" note. */
  readonly tokens?: readonly TokenInfo[];
}

/** What "Pin to project" stores for a method figure: enough to redraw it through the figure layer. */
export interface MethodPinRecord {
  readonly method: string;
  readonly version: number;
  /** The params as run, defaults applied. */
  readonly params: Json;
  readonly view: string;
  readonly type: string;
  readonly result: Json;
  /**
   * The interventions the run's model carried, as the worker reported them with the result: a
   * figure pinned after the list changed (or run while a new list was being set) states exactly
   * what it ran with.
   */
  readonly interventions: readonly Intervention[];
}

export interface MethodRun<R extends Json = Json> {
  readonly method: RegisteredMethod;
  readonly state: JobState<'method'>;
  /** The last finished run's result, null before one finished (or after a failure). */
  readonly result: R | null;
  /** The last finished run's params, defaults applied. */
  readonly params: Record<string, Json> | null;
  /** The interventions the last finished run's model carried (the worker's record), null before one finished. */
  readonly ranWith: readonly Intervention[] | null;
  /**
   * What the last finished run took from the splice choice: the dictionaries and mode its params
   * were given (null: none), or 'own' when the view's params named their own.
   */
  readonly ranSplice: RunSplice;
  /** The last finished run's prompt items. */
  readonly prompts: readonly PromptItem[] | null;
  readonly tokens: readonly TokenInfo[];
  readonly running: boolean;
  /** Changes with every finished run (figure revisions). */
  readonly runKey: string;
  /** The schema's first complaint about `params` ("field: message"), or null when they are valid. */
  check(params: Record<string, unknown>): string | null;
  /** Starts a run (cancelling the previous one); returns the schema's complaint instead when params are invalid. */
  run(params: Record<string, unknown>, inputs?: MethodRunInputs): string | null;
  cancel(): void;
  /** The pinned-run record of this run's result drawn as `view`/`type`. */
  pin(view: string, type: string, result?: Json): MethodPinRecord | null;
}

function registered(name: string): RegisteredMethod {
  const method = METHODS.get(name);
  if (!method) throw new Error(`internal: no registered method "${name}" (methods: ${[...METHODS.keys()].join(', ')})`);
  return method;
}

export function useMethodRun<R extends Json = Json>(name: string): MethodRun<R> {
  const method = useMemo(() => registered(name), [name]);
  const job = useViewJob('method');
  // The dictionaries chosen to be spliced into every method's run (Dictionary features view).
  const spliced = useSplicedDictionaries();
  const check = useCallback(
    (params: Record<string, unknown>) => {
      const c = method.checkParams(withSplicedDictionaries(params, spliced));
      return c.ok ? null : c.issues.map((i) => `${i.path || 'params'}: ${i.message}`)[0];
    },
    [method, spliced],
  );
  const { run: start } = job;
  // Set as a run starts: a slot's finished result is always its latest started run's (use-job.ts).
  const [ranSplice, setRanSplice] = useState<RunSplice>(null);
  const run = useCallback(
    (params: Record<string, unknown>, inputs: MethodRunInputs = {}) => {
      const c = method.checkParams(withSplicedDictionaries(params, spliced));
      if (!c.ok) return c.issues.map((i) => `${i.path || 'params'}: ${i.message}`)[0];
      setRanSplice(runSplice(params, spliced));
      start(
        { method: method.method, params: c.value as Record<string, Json>, prompts: inputs.prompts ?? null, prependBos: inputs.prependBos, dataset: inputs.dataset },
        inputs.tokens,
      );
      return null;
    },
    [method, start, spliced],
  );
  const result = (job.result?.result ?? null) as R | null;
  const ranWith = job.result?.interventions ?? null;
  const params = (job.params?.params ?? null) as Record<string, Json> | null;
  const pin = useCallback(
    (view: string, type: string, shown?: Json): MethodPinRecord | null =>
      result === null || params === null || ranWith === null
        ? null
        : { method: method.method, version: method.version, params, view, type, result: shown ?? result, interventions: ranWith },
    [method, params, result, ranWith],
  );
  return {
    method,
    state: job.state,
    result,
    params,
    ranWith,
    ranSplice,
    prompts: job.params?.prompts ?? null,
    tokens: job.tokens,
    running: job.running,
    runKey: job.runKey,
    check,
    run,
    cancel: job.cancel,
    pin,
  };
}
