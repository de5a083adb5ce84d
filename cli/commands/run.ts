/**
 * probescope run --model M (--prompt TEXT | --ids 1,2,3) [--no-bos] [--backend auto|cpu|cpu-ref|webgpu]
 *   [--capture GLOB]... [--intervene JSON|@file] [--logits last|all] [--generate N
 *   [--temperature T] [--top-k K] [--top-p P] [--seed S]] [--json]
 *
 * One forward pass (and optionally generation): its flags are a params schema like a method's,
 * so --help, negative values and range checks work the same way (method-flags.ts).
 */
import { z } from 'zod';
import { parseInterventions } from '../../analysis/hooks/interventions.ts';
import { generate } from '../../analysis/model/generate.ts';
import type { ModelInput } from '../../analysis/model/run.ts';
import { run } from '../../analysis/model/run.ts';
import { schemaFields } from '../../analysis/registry/param-fields.ts';
import { oneOf, parseIds, parseJsonArg, UsageError } from '../args.ts';
import type { FlagSpec } from '../argv.ts';
import { flagValue, parseFlags } from '../argv.ts';
import { fieldUsage } from '../method-command.ts';
import { flagSpecs, flagsOfFields, issueMessage, readFieldFlags } from '../method-flags.ts';
import { BACKEND_NAMES, openBackend, openModel } from '../open.ts';
import { backendSummary, modelSummary, printJson, rowsOf } from '../output.ts';

const RunParams = z.strictObject({
  capture: z.array(z.string().min(1)).default([]).describe('Hook names or globs to capture (repeatable; * within a segment, ** across).'),
  intervene: z.string().min(1).optional().describe('Interventions as JSON, or @file.json.'),
  logits: z.enum(['last', 'all']).default('last').describe('Logit rows in the JSON: the last position or all.'),
  generate: z.number().int().min(1).max(1_000_000).optional().describe('Generate this many tokens after the prompt (KV-cached; stops at the model\'s context).'),
  temperature: z.number().min(0).max(100).default(0).describe('0 = greedy.'),
  topK: z.number().int().min(1).optional().describe('Sample among the k most likely tokens.'),
  topP: z.number().gt(0).max(1).optional().describe('Nucleus sampling: the smallest set of tokens with probability ≥ p.'),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
});

const FIELDS = flagsOfFields(schemaFields(RunParams));

const HOST_FLAGS: readonly FlagSpec[] = [{ name: 'model' }, { name: 'backend' }, { name: 'prompt' }, { name: 'ids' }, { name: 'no-bos', switch: true }, { name: 'json', switch: true }];

export const RUN_USAGE = [
  'probescope run --model <dir | builtin:stories260K> (--prompt TEXT | --ids 1,2,3) [--no-bos] [--backend auto|cpu|cpu-ref|webgpu] [--json]',
  '  One forward pass: logits, loss, captured activations; optionally generation.',
  ...FIELDS.map(fieldUsage),
].join('\n');

function inputFrom(prompt: string | undefined, ids: string | undefined): ModelInput {
  if (prompt !== undefined && ids !== undefined) throw new UsageError('give either --prompt or --ids, not both');
  if (ids !== undefined) return { ids: parseIds('--ids', ids) };
  if (prompt !== undefined) return { text: prompt };
  throw new UsageError('give the input as --prompt TEXT or --ids 1,2,3');
}

export async function runCommand(argv: string[]): Promise<number> {
  const values = parseFlags('run', argv, [...HOST_FLAGS, ...flagSpecs(FIELDS)]);
  const { params } = readFieldFlags(FIELDS, values);
  const parsed = RunParams.safeParse(params);
  if (!parsed.success) throw new UsageError(issueMessage(FIELDS, params, parsed.error.issues[0]));
  const p = parsed.data;
  const json = values.get('json') === true;
  const input = inputFrom(flagValue(values, 'prompt'), flagValue(values, 'ids'));
  const backend = await openBackend(oneOf('--backend', flagValue(values, 'backend'), BACKEND_NAMES, 'auto'));
  const model = await openModel(flagValue(values, 'model'), backend);
  const hookOptions = {
    capture: p.capture,
    interventions: p.intervene ? parseInterventions(parseJsonArg('--intervene', p.intervene)) : [],
  };
  const prependBos = values.get('no-bos') === true ? false : undefined;
  const result = await run(model, input, { ...hookOptions, logits: 'all', prependBos });
  const ids = result.ids[0];
  const vocab = model.spec.dVocab;
  const all = rowsOf(result.logits!.data, ids.length, vocab);
  const generated = p.generate
    ? await generate(model, { ids }, { maxNewTokens: p.generate, temperature: p.temperature, topK: p.topK, topP: p.topP, seed: p.seed, ...hookOptions })
    : null;
  if (generated && generated.stopped === 'context') {
    // Said on stderr in both modes, so --json output stays one object.
    process.stderr.write(`probescope run: generation stopped at the model's context of ${model.spec.nCtx} tokens: ${generated.newIds.length} of the ${p.generate} requested tokens generated\n`);
  }
  const cache = Object.fromEntries(Object.entries(result.cache).map(([k, v]) => [k, { shape: v.shape, data: Array.from(v.data) }]));
  if (json) {
    printJson({
      model: modelSummary(model),
      backend: backendSummary(model),
      ids,
      logits: p.logits === 'last' ? all.slice(-1) : all,
      loss: result.loss,
      cache,
      ...(generated ? { generated: { ids: generated.newIds, text: generated.text, stopped: generated.stopped } } : {}),
    });
    return 0;
  }
  const last = all[all.length - 1];
  const top = Array.from(last.keys()).sort((a, b) => last[b] - last[a]).slice(0, 5);
  const show = (id: number) => (model.tokenizer ? JSON.stringify(model.tokenizer.tokenString(id)) : String(id));
  const withId = (id: number) => (model.tokenizer ? `${show(id)} (${id})` : String(id));
  console.log(`model    ${model.label} (${model.spec.modelType}, ${model.spec.nLayers} layers, d ${model.spec.dModel})`);
  if (model.spec.skipped) console.log(`         not loaded: ${model.spec.skipped}`);
  console.log(`backend  ${model.backend.info.name} — ${model.backend.info.adapter}`);
  console.log(`tokens   ${ids.map((id, p) => `${p}: ${withId(id)}`).join('  ')}`);
  console.log(`loss     ${result.loss === null ? '—' : result.loss.toFixed(4)}`);
  console.log(`next     ${top.map((id) => `${withId(id)} ${last[id].toFixed(3)}`).join('  ')}`);
  for (const [name, v] of Object.entries(result.cache)) console.log(`cache    ${name} [${v.shape.join(', ')}]`);
  if (generated) {
    console.log(`generated ${JSON.stringify(generated.text ?? generated.newIds.join(','))} (${generated.newIds.length} tokens, stopped: ${generated.stopped.replace('_', ' ')})`);
    console.log(`new ids  ${generated.newIds.map(withId).join('  ')}`);
  }
  return 0;
}
