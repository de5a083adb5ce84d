/**
 * `defineMethod`: erases a typed method definition into a `RegisteredMethod`. Params are re-parsed
 * with the method's schema at every entry point, so the typed code inside a definition only ever sees
 * values its own schema produced.
 *
 * Every method's schema is extended with the common dictionary params (dictionary-params.ts): the
 * dictionaries are attached to the model before the definition runs and released after it, and
 * the definition sees only its own params.
 */
import { z } from 'zod';
import type { View } from './views.ts';
import type { Json } from '../json.ts';
import { toJson } from '../json.ts';
import type { Model } from '../model/model.ts';
import type { MethodDefinition, MethodRun, ParamsCheck, RegisteredMethod } from './contract.ts';
import { PassMeter, throwIfAborted } from './passes.ts';
import type { DictionaryParams } from './dictionary-params.ts';
import { DICTIONARY_PARAM_NAMES, DICTIONARY_PARAMS, withParamDictionaries } from './dictionary-params.ts';

export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

/** A method's params schema with the common dictionary params added (a method may not define them itself). */
function withCommonParams(method: string, params: z.ZodType): z.ZodType {
  if (!(params instanceof z.ZodObject)) throw new Error(`internal: ${method}'s params are not an object schema`);
  for (const name of DICTIONARY_PARAM_NAMES) if (name in params.shape) throw new Error(`internal: ${method} defines the common param "${name}"`);
  return params.safeExtend(DICTIONARY_PARAMS);
}

/** The method's own params (what its definition reads) and the common dictionary params. */
function splitCommon<T>(parsed: T): { own: T; common: DictionaryParams } {
  const { dictionaries, dictionarySplice, ...own } = parsed as T & DictionaryParams;
  return { own: own as T, common: { dictionaries, dictionarySplice } };
}

export function defineMethod<P extends z.ZodType, R extends Json>(def: MethodDefinition<P, R>): RegisteredMethod {
  const schema = withCommonParams(def.method, def.params);
  const ownsDictionaryFlag = def.params instanceof z.ZodObject && 'dictionary' in def.params.shape;
  const parse = (params: unknown): z.output<P> => {
    const parsed = schema.safeParse(params);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new Error(`params${first.path.length ? `.${issuePath(first.path)}` : ''}: ${first.message}`);
    }
    // The extended schema's output is the method's own output plus the common params.
    return parsed.data as z.output<P>;
  };
  const runDefinition = async (model: Model, params: z.output<P>, ctx: MethodRun): Promise<Json> => {
    const meter = new PassMeter(ctx);
    const result = await def.run(meter.meter(model), params, {
      prompts: ctx.prompts,
      dataset: ctx.dataset,
      dictionaries: ctx.dictionaries,
      crossLayerTranscoder: ctx.crossLayerTranscoder,
      cltLayers: ctx.cltLayers,
      signal: ctx.signal,
      plan: (passes) => meter.plan(passes),
      report: (done, total, unit) => ctx.onProgress(done, total, unit),
    });
    meter.finish();
    return toJson(result);
  };
  return {
    method: def.method,
    title: def.title,
    description: def.description,
    version: def.version,
    input: def.input,
    views: def.views,
    defaultFigure: def.defaultFigure,
    paramsSchema: schema,
    // `--dictionary` names the common list, unless the method has a `dictionary` of its own.
    cli: ownsDictionaryFlag ? def.cli ?? {} : { ...def.cli, flagAliases: { dictionary: 'dictionaries', ...def.cli?.flagAliases } },
    checkParams(params: unknown): ParamsCheck {
      const parsed = schema.safeParse(params);
      if (parsed.success) return { ok: true, value: toJson(parsed.data, 'params') };
      return { ok: false, issues: parsed.error.issues.map((i) => ({ path: issuePath(i.path), message: i.message })) };
    },
    promptRefs: (params) => def.promptRefs?.(splitCommon(parse(params)).own) ?? [],
    async run(model: Model, params: unknown, ctx: MethodRun): Promise<Json> {
      const { own, common } = splitCommon(parse(params));
      throwIfAborted(ctx.signal);
      const spliced = await withParamDictionaries(model, common, ctx);
      try {
        return await runDefinition(spliced.model, own, ctx);
      } finally {
        spliced.release();
      }
    },
    view(result: Json, name: string): View {
      if (!(name in def.views)) throw new Error(`${def.method} has no view "${name}" (views: ${Object.keys(def.views).join(', ')})`);
      // The result was produced by this method's `run` (cache keys include method and version),
      // so it has the method's result type.
      return def.view(result as R, name);
    },
  };
}
