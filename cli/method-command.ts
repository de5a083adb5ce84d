/**
 * `probescope <method>` for every method of the registry (analysis/registry/registry.ts): flags
 * and --help from the method's params schema, the same params validation as notebooks, the
 * method's own `run`, and `--json` printing exactly the JSON result a notebook stores. Without
 * --json: the inputs with token ids, the metric's tokens, the result's scalars and the method's
 * text views (labelled grids and series).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { ProbeDataset } from '../analysis/methods/probe-data.ts';
import { parseProbeDataset } from '../analysis/methods/probe-data.ts';
import type { Json } from '../analysis/json.ts';
import { nodeCltResolver, nodeDictionaryResolver } from '../analysis/dictionaries/node-resolver.ts';
import type { Model } from '../analysis/model/model.ts';
import { tokenize } from '../analysis/model/run.ts';
import type { PromptItem, RegisteredMethod } from '../analysis/registry/contract.ts';
import { BUILTIN_DATASETS } from '../notebooks/datasets.ts';
import { oneOf, UsageError } from './args.ts';
import type { FlagSpec, FlagValues } from './argv.ts';
import { flagValue, parseFlags, wantsHelp } from './argv.ts';
import type { FieldFlags } from './method-flags.ts';
import { fieldFlags, flagSpecs, issueMessage, readFieldFlags, resolveTokenFlags } from './method-flags.ts';
import { BACKEND_NAMES, openBackend, openModel } from './open.ts';
import { printJson } from './output.ts';
import { progressReporter } from './progress.ts';
import { viewText } from './text-view.ts';

const HOST_FLAGS: readonly FlagSpec[] = [
  { name: 'model' },
  { name: 'backend' },
  { name: 'json', switch: true },
  { name: 'progress', switch: true },
  { name: 'view', multiple: true },
];

function hostFlags(method: RegisteredMethod): FlagSpec[] {
  return [
    ...HOST_FLAGS,
    ...(method.input === 'prompts' ? [{ name: 'no-bos', switch: true }] : []),
    ...(method.input === 'dataset' ? [{ name: 'dataset' }] : []),
    ...(method.cli.save ? [{ name: 'save' }] : []),
  ];
}

function numberRange(field: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean }): string {
  const { min, max } = field;
  if (min !== undefined && max !== undefined) return ` in ${field.minExclusive ? '(' : '['}${min}, ${max}${field.maxExclusive ? ')' : ']'}`;
  if (min !== undefined) return ` ${field.minExclusive ? '>' : '≥'} ${min}`;
  if (max !== undefined) return ` ${field.maxExclusive ? '<' : '≤'} ${max}`;
  return '';
}

/** One flag's line in --help: how to write it, then its description, default and whether it is required. */
export function fieldUsage(f: FieldFlags): string {
  const { field } = f;
  const parts: string[] = [];
  switch (f.kind) {
    case 'prompt':
      parts.push(`--${f.text} TEXT | --${f.ids} 1,2,3${f.many ? ' (repeatable)' : ''}`);
      break;
    case 'corruption':
      parts.push(`--${f.text} TEXT | --${f.ids} 1,2,3 (same token length) | --noise-pos 1,2 [--noise-sigma S] [--noise-seed N]`);
      break;
    case 'switch':
      parts.push(field.defaultValue === true ? `--no-${f.flag}` : `--${f.flag}`);
      break;
    case 'value': {
      const what =
        field.kind === 'number'
          ? `${field.integer ? 'integer' : 'number'}${numberRange(field)}`
          : field.kind === 'choice'
            ? field.options.join('|')
            : field.kind === 'ref'
              ? field.input === 'token'
                ? 'token id or one-token text'
                : 'index or label'
              : field.kind === 'json'
                ? field.list
                  ? `comma-separated ${field.list === 'number' ? 'numbers' : field.input === 'token' ? 'token ids or one-token texts' : 'values'}, or JSON`
                  : 'JSON or @file'
                : 'text';
      parts.push(`--${f.flag} ${what}`);
    }
  }
  const notes = [
    field.description?.replace(/\.$/, ''),
    field.defaultValue !== undefined && f.kind !== 'prompt' ? `default ${JSON.stringify(field.defaultValue)}` : undefined,
    field.required && f.kind === 'value' ? 'required' : undefined,
  ].filter(Boolean);
  return `  ${parts.join('')}${notes.length ? `\n      ${notes.join('; ')}` : ''}`;
}

export function methodHelp(method: RegisteredMethod, invokedAs: string): string {
  const fields = fieldFlags(method);
  const aliases = Object.entries(method.cli.flagAliases ?? {});
  return [
    `probescope ${invokedAs} — ${method.title}${invokedAs !== method.method ? ` (method "${method.method}")` : ''}`,
    `  ${method.description}`,
    '',
    `usage: probescope ${invokedAs} --model <dir | builtin:stories260K> [flags]`,
    '',
    'method flags:',
    ...fields.map(fieldUsage),
    ...(aliases.length ? ['', `other flag names: ${aliases.map(([a, b]) => `--${a} = --${b}`).join(', ')}`] : []),
    '',
    'common flags:',
    '  --model DIR | builtin:stories260K    the model (required)',
    '  --backend auto|cpu|cpu-ref|webgpu    default auto: WebGPU on a hardware GPU, else cpu (fast WebAssembly); cpu-ref: float64 reference',
    ...(method.input === 'prompts' ? ['  --no-bos                             no BOS token before text prompts'] : []),
    ...(method.input === 'dataset' ? ['  --dataset FILE.json | builtin:NAME   labelled examples {examples: [{prompt | ids, label, difficulty?, split?}]}'] : []),
    ...(method.cli.save ? [`  --save FILE.json                     write ${method.cli.save.what}`] : []),
    '  --json                               print the result as one JSON object (the same JSON a notebook stores)',
    '  --progress                           progress on stderr even with --json (otherwise after 2 s, without --json)',
    `  --view NAME                          text views to print (${Object.keys(method.views).join(', ')})`,
  ].join('\n');
}

function readDataset(value: string | undefined): ProbeDataset {
  if (value === undefined) throw new UsageError(`--dataset is required (a JSON file {examples: [{prompt, label, difficulty?, split?}]}, or ${Object.keys(BUILTIN_DATASETS).map((n) => `builtin:${n}`).join(', ')})`);
  if (value.startsWith('builtin:')) {
    const name = value.slice('builtin:'.length);
    if (!Object.hasOwn(BUILTIN_DATASETS, name)) throw new UsageError(`--dataset: no built-in dataset "${name}" (available: ${Object.keys(BUILTIN_DATASETS).join(', ')})`);
    return BUILTIN_DATASETS[name]();
  }
  let text: string;
  try {
    text = readFileSync(value, 'utf8');
  } catch (e) {
    throw new UsageError(`--dataset: cannot read ${value} (${(e as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`--dataset: ${value} is not valid JSON (${(e as Error).message})`);
  }
  return parseProbeDataset(data, value);
}

function tokenLabel(model: Model, id: number): string {
  return model.tokenizer ? `${JSON.stringify(model.tokenizer.tokenString(id))} (${id})` : String(id);
}

function isTokenRecord(v: Json | undefined): v is { id: number; token: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof v.id === 'number' && typeof v.token === 'string';
}

/** The text a person reads: inputs with ids, the metric's tokens, scalars, then the views. */
function printText(method: RegisteredMethod, model: Model, prompts: readonly PromptItem[], prependBos: boolean | undefined, result: Json, views: readonly string[]): void {
  console.log(`${method.title} on ${model.label}`);
  for (const item of prompts) {
    const ids = tokenize(model, 'ids' in item ? { ids: [...item.ids] } : { text: item.text }, prependBos)[0];
    console.log(`${item.label ?? 'prompt'} (${ids.length} tokens): ${ids.map((id, p) => `${p}: ${tokenLabel(model, id)}`).join('  ')}`);
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return;
  const answer = isTokenRecord(result.answer) ? result.answer : isTokenRecord(result.target) ? result.target : undefined;
  if (answer) {
    const { wrong } = result;
    const at = typeof result.position === 'number' ? result.position : typeof result.pos === 'number' ? result.pos : undefined;
    const show = (t: { id: number; token: string }) => `logit[${JSON.stringify(t.token)} (${t.id})]`;
    console.log(`metric: ${show(answer)}${isTokenRecord(wrong) ? ` − ${show(wrong)}` : ''}${at === undefined ? '' : ` at position ${at}`}`);
  }
  const scalars = Object.entries(result).filter(([k, v]) => typeof v === 'number' && k !== 'position' && k !== 'pos');
  if (scalars.length) console.log(scalars.map(([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toPrecision(6)) : v}`).join('   '));
  for (const name of views) {
    console.log('');
    console.log(viewText(method.view(result, name), { sortSeries: method.cli.sortedViews?.includes(name) }));
  }
  const others = Object.keys(method.views).filter((v) => !views.includes(v));
  if (others.length) console.log(`\nother views: ${others.join(', ')} (--view NAME), or --json for everything`);
}

function viewsToPrint(method: RegisteredMethod, values: FlagValues): string[] {
  const asked = values.get('view');
  const names = Array.isArray(asked) ? asked : [...(method.cli.textViews ?? [method.defaultFigure.view])];
  for (const n of names) if (!Object.hasOwn(method.views, n)) throw new UsageError(`--view: "${n}" is not a view of ${method.method} (${Object.keys(method.views).join(', ')})`);
  return names;
}

export async function methodCommand(method: RegisteredMethod, invokedAs: string, argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    console.log(methodHelp(method, invokedAs));
    return 0;
  }
  const fields = fieldFlags(method);
  const values = parseFlags(invokedAs, argv, [...hostFlags(method), ...flagSpecs(fields)], method.cli.flagAliases);
  const { params, prompts } = readFieldFlags(fields, values);
  const checked = method.paramsSchema.safeParse(params);
  if (!checked.success) throw new UsageError(issueMessage(fields, params, checked.error.issues[0]));
  const views = viewsToPrint(method, values);
  const json = values.get('json') === true;
  const dataset = method.input === 'dataset' ? readDataset(flagValue(values, 'dataset')) : null;
  const backend = await openBackend(oneOf('--backend', flagValue(values, 'backend'), BACKEND_NAMES, 'auto'));
  const model = await openModel(flagValue(values, 'model'), backend);
  const prependBos = values.get('no-bos') === true ? false : undefined;
  const runParams = resolveTokenFlags(fields, params, { vocabSize: model.spec.dVocab, tokenizer: model.tokenizer });
  const abort = new AbortController();
  const onSigint = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  try {
    const result = await method.run(model, runParams, {
      prompts: method.input === 'prompts' ? { cell: 'command line', items: prompts, prependBos } : null,
      dataset,
      dictionaries: nodeDictionaryResolver(model),
      crossLayerTranscoder: nodeCltResolver(model),
      signal: abort.signal,
      onProgress: progressReporter({ label: `probescope ${invokedAs}`, always: values.get('progress') === true, silent: json && values.get('progress') !== true }),
    });
    const save = flagValue(values, 'save');
    if (save !== undefined && method.cli.save && typeof result === 'object' && result !== null && !Array.isArray(result)) {
      writeFileSync(save, JSON.stringify(result[method.cli.save.field] ?? null, null, 2) + '\n');
    }
    if (json) printJson(result);
    else printText(method, model, prompts, prependBos, result, views);
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
