/**
 * `defineStep`: erases a typed step definition into a `RegisteredStep`. Params are re-parsed
 * with the step's schema at every entry point, so the typed code inside a step only ever sees
 * values its own schema produced.
 */
import type { z } from 'zod';
import type { View } from '../figures/views.ts';
import type { Json } from '../json.ts';
import { toJson } from '../json.ts';
import type { ParamsCheck, RegisteredStep, StepContext, StepDefinition } from './types.ts';

export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

export function defineStep<P extends z.ZodType, R extends Json>(def: StepDefinition<P, R>): RegisteredStep {
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
    checkParams(params: unknown): ParamsCheck {
      const parsed = def.params.safeParse(params);
      if (parsed.success) return { ok: true, value: toJson(parsed.data, 'params') };
      return { ok: false, issues: parsed.error.issues.map((i) => ({ path: issuePath(i.path), message: i.message })) };
    },
    promptRefs: (params) => def.promptRefs?.(parse(params)) ?? [],
    async run(ctx: StepContext, params: Json): Promise<Json> {
      return toJson(await def.run(ctx, parse(params)));
    },
    view(result: Json, name: string): View {
      if (!(name in def.views)) throw new Error(`${def.method} has no view "${name}" (views: ${Object.keys(def.views).join(', ')})`);
      // The result was produced by this step's `run` (cache keys include method and version),
      // so it has the step's result type.
      return def.view(result as R, name);
    },
  };
}
