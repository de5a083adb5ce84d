/**
 * probescope run --model M (--prompt TEXT | --ids 1,2,3) [--no-bos] [--backend cpu|cpu-ref|webgpu]
 *   [--capture GLOB]... [--intervene JSON|@file] [--logits last|all] [--generate N
 *   [--temperature T] [--top-k K] [--top-p P] [--seed S]] [--json]
 */
import { parseArgs } from 'node:util';
import { parseInterventions } from '../../analysis/hooks/interventions.ts';
import { generate } from '../../analysis/model/generate.ts';
import type { ModelInput } from '../../analysis/model/run.ts';
import { run } from '../../analysis/model/run.ts';
import { oneOf, parseIds, parseInteger, parseJsonArg, parseNumber, UsageError } from '../args.ts';
import { BACKEND_NAMES, openBackend, openModel } from '../open.ts';
import { backendSummary, modelSummary, printJson, rowsOf } from '../output.ts';

export const RUN_USAGE = `probescope run --model <dir | builtin:stories260K> (--prompt TEXT | --ids 1,2,3) [--no-bos]
  [--backend cpu|cpu-ref|webgpu] [--capture GLOB]... [--intervene JSON|@file] [--logits last|all]
  [--generate N [--temperature T] [--top-k K] [--top-p P] [--seed S]] [--json]`;

export const modelFlags = {
  model: { type: 'string' },
  prompt: { type: 'string' },
  ids: { type: 'string' },
  'no-bos': { type: 'boolean' },
  backend: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export function inputFrom(values: { prompt?: string; ids?: string }): ModelInput {
  if (values.prompt !== undefined && values.ids !== undefined) throw new UsageError('give either --prompt or --ids, not both');
  if (values.ids !== undefined) return { ids: parseIds('--ids', values.ids) };
  if (values.prompt !== undefined) return { text: values.prompt };
  throw new UsageError('give the input as --prompt TEXT or --ids 1,2,3');
}

export async function runCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...modelFlags,
      capture: { type: 'string', multiple: true },
      intervene: { type: 'string' },
      logits: { type: 'string' },
      generate: { type: 'string' },
      temperature: { type: 'string' },
      'top-k': { type: 'string' },
      'top-p': { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const input = inputFrom(values);
  const backend = await openBackend(oneOf('--backend', values.backend, BACKEND_NAMES, 'cpu'));
  const model = await openModel(values.model, backend);
  const logitsMode = oneOf('--logits', values.logits, ['last', 'all'], 'last');
  const hookOptions = {
    capture: values.capture ?? [],
    interventions: values.intervene ? parseInterventions(parseJsonArg('--intervene', values.intervene)) : [],
  };
  const prependBos = values['no-bos'] ? false : undefined;
  const result = await run(model, input, { ...hookOptions, logits: 'all', prependBos });
  const ids = result.ids[0];
  const vocab = model.spec.dVocab;
  const all = rowsOf(result.logits!.data, ids.length, vocab);
  const nGenerate = parseInteger('--generate', values.generate);
  const generated = nGenerate
    ? await generate(model, { ids }, {
        maxNewTokens: nGenerate,
        temperature: parseNumber('--temperature', values.temperature, 0),
        topK: parseInteger('--top-k', values['top-k']),
        topP: parseNumber('--top-p', values['top-p']),
        seed: parseInteger('--seed', values.seed, 0),
        ...hookOptions,
      })
    : null;
  const cache = Object.fromEntries(Object.entries(result.cache).map(([k, v]) => [k, { shape: v.shape, data: Array.from(v.data) }]));
  if (values.json) {
    printJson({
      model: modelSummary(model),
      backend: backendSummary(model),
      ids,
      logits: logitsMode === 'last' ? all.slice(-1) : all,
      loss: result.loss,
      cache,
      ...(generated ? { generated: { ids: generated.newIds, text: generated.text, stopped: generated.stopped } } : {}),
    });
    return 0;
  }
  const last = all[all.length - 1];
  const top = Array.from(last.keys()).sort((a, b) => last[b] - last[a]).slice(0, 5);
  const show = (id: number) => (model.tokenizer ? JSON.stringify(model.tokenizer.tokenString(id)) : String(id));
  console.log(`model    ${model.label} (${model.spec.modelType}, ${model.spec.nLayers} layers, d ${model.spec.dModel})`);
  console.log(`backend  ${model.backend.info.name} — ${model.backend.info.adapter}`);
  console.log(`tokens   ${ids.map(show).join(' ')}`);
  console.log(`loss     ${result.loss === null ? '—' : result.loss.toFixed(4)}`);
  console.log(`next     ${top.map((id) => `${show(id)} ${last[id].toFixed(3)}`).join('  ')}`);
  for (const [name, v] of Object.entries(result.cache)) console.log(`cache    ${name} [${v.shape.join(', ')}]`);
  if (generated) console.log(`generated ${generated.text ?? generated.newIds.join(',')}`);
  return 0;
}
