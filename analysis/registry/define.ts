/**
 * `defineMethod`: erases a typed method definition into a `RegisteredMethod`. Params are re-parsed
 * with the method's schema at every entry point, so the typed code inside a definition only ever sees
 * values its own schema produced.
 */
import type { z } from 'zod';
import type { View } from './views.ts';
import type { Json } from '../json.ts';
import { toJson } from '../json.ts';
import type { Model } from '../model/model.ts';
import type { MethodDefinition, MethodRun, ParamsCheck, RegisteredMethod } from './contract.ts';
import { PassMeter, throwIfAborted } from './passes.ts';

export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

export function defineMethod<P extends z.ZodType, R extends Json>(def: MethodDefinition<P, R>): RegisteredMethod {
  const parse = (params: unknown): z.output<P> => {
    const parsed = def.params.safeParse(params);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new Error(`params${first.path.length ? `.${issuePath(first.path)}` : ''}: ${first.message}`);
    }
    return parsed.data;
  };
  return {
    method: def.method,
    title: def.title,
    description: def.description,
    version: def.version,
    input: def.input,
    views: def.views,
    defaultFigure: def.defaultFigure,
    paramsSchema: def.params,
    cli: def.cli ?? {},
    checkParams(params: unknown): ParamsCheck {
      const parsed = def.params.safeParse(params);
      if (parsed.success) return { ok: true, value: toJson(parsed.data, 'params') };
      return { ok: false, issues: parsed.error.issues.map((i) => ({ path: issuePath(i.path), message: i.message })) };
    },
    promptRefs: (params) => def.promptRefs?.(parse(params)) ?? [],
    async run(model: Model, params: unknown, ctx: MethodRun): Promise<Json> {
      const parsed = parse(params);
      throwIfAborted(ctx.signal);
      const meter = new PassMeter(ctx);
      const result = await def.run(meter.meter(model), parsed, {
        prompts: ctx.prompts,
        dataset: ctx.dataset,
        dictionaries: ctx.dictionaries,
        crossLayerTranscoder: ctx.crossLayerTranscoder,
        signal: ctx.signal,
        plan: (passes) => meter.plan(passes),
        report: (done, total, unit) => ctx.onProgress(done, total, unit),
      });
      meter.finish();
      return toJson(result);
    },
    view(result: Json, name: string): View {
      if (!(name in def.views)) throw new Error(`${def.method} has no view "${name}" (views: ${Object.keys(def.views).join(', ')})`);
      // The result was produced by this method's `run` (cache keys include method and version),
      // so it has the method's result type.
      return def.view(result as R, name);
    },
  };
}
