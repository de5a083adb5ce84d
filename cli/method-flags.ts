/**
 * A registered method's command-line flags, generated from its params schema (param-fields.ts):
 * one flag per field (`topK` → `--top-k`), prompt references as `--prompt TEXT | --ids 1,2,3`
 * (`--clean-prompt`, … for other fields), a corruption as another prompt or `--noise-pos`,
 * lists as comma-separated values or JSON, objects as JSON. Values are converted to the types
 * the schema expects and then validated by the schema itself, so ranges and choices are checked
 * in one place and errors name the flag.
 */
import type { z } from 'zod';
import type { RegisteredMethod, PromptItem } from '../analysis/registry/contract.ts';
import type { ParamField } from '../analysis/registry/param-fields.ts';
import { paramFields } from '../analysis/registry/param-fields.ts';
import type { TokenInputVocabulary } from '../analysis/methods/token-input.ts';
import { resolveTokenInput } from '../analysis/methods/token-input.ts';
import { parseIds, parseJsonArg, UsageError } from './args.ts';
import type { FlagSpec, FlagValues } from './argv.ts';
import { flagName, flagValue } from './argv.ts';

/** How one params field is given on the command line. */
export type FieldFlags =
  | { readonly kind: 'value'; readonly field: ParamField; readonly flag: string }
  | { readonly kind: 'switch'; readonly field: ParamField; readonly flag: string }
  /** A prompt reference: text or ids, one (or, for a list, each) becoming an item of the prompt set. */
  | { readonly kind: 'prompt'; readonly field: ParamField; readonly text: string; readonly ids: string; readonly many: boolean }
  /** A corruption: another prompt, or noise on the clean prompt's embeddings. */
  | { readonly kind: 'corruption'; readonly field: ParamField; readonly text: string; readonly ids: string };

const NOISE_FLAGS = { positions: 'noise-pos', sigma: 'noise-sigma', seed: 'noise-seed' } as const;

function promptFlagNames(field: string): { text: string; ids: string } {
  return field === 'prompt' ? { text: 'prompt', ids: 'ids' } : { text: `${flagName(field)}-prompt`, ids: `${flagName(field)}-ids` };
}

export function fieldFlags(method: RegisteredMethod): FieldFlags[] {
  return flagsOfFields(paramFields(method));
}

export function flagsOfFields(fields: readonly ParamField[]): FieldFlags[] {
  return fields.map((field): FieldFlags => {
    if (field.input === 'corruption') return { kind: 'corruption', field, ...promptFlagNames(field.name) };
    if (field.input === 'prompt' && (field.kind === 'ref' || (field.kind === 'json' && field.list === 'ref'))) {
      return { kind: 'prompt', field, ...promptFlagNames(field.name), many: field.kind === 'json' };
    }
    if (field.kind === 'boolean') return { kind: 'switch', field, flag: flagName(field.name) };
    return { kind: 'value', field, flag: flagName(field.name) };
  });
}

export function flagSpecs(fields: readonly FieldFlags[]): FlagSpec[] {
  return fields.flatMap((f): FlagSpec[] => {
    switch (f.kind) {
      case 'value':
        // A list may be given in one flag (1,2,3) or over several (--head 1.2 --head 3.1).
        return [{ name: f.flag, multiple: f.field.kind === 'json' && f.field.list !== undefined }];
      case 'switch':
        return [{ name: f.flag, switch: true }];
      case 'prompt':
        return [{ name: f.text, multiple: f.many }, { name: f.ids, multiple: f.many }];
      case 'corruption':
        return [{ name: f.text }, { name: f.ids }, ...Object.values(NOISE_FLAGS).map((name) => ({ name }))];
    }
  });
}

function numberOf(flag: string, text: string): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag}: "${text}" is not a number`);
  return n;
}

/** An id when the text is a whole number, else the text itself (a token string or a label). */
function refOf(text: string): number | string {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : text;
}

/** A flag's text as the value its field's schema expects. */
function valueOf(field: ParamField, flag: string, text: string): unknown {
  switch (field.kind) {
    case 'number':
      return numberOf(flag, text);
    case 'ref':
      return refOf(text);
    case 'json':
      if (field.list && !text.trim().startsWith('[')) {
        const parts = text.split(',');
        return field.list === 'number' ? parts.map((p) => numberOf(flag, p)) : field.list === 'ref' ? parts.map(refOf) : parts.map((p) => p.trim());
      }
      return parseJsonArg(`--${flag}`, text);
    default:
      return text;
  }
}

export interface CommandInputs {
  readonly params: Record<string, unknown>;
  /** The prompt set the params refer to (in flag order). */
  readonly prompts: PromptItem[];
}

/**
 * Params and prompts from the flags. Prompt flags add items to the prompt set and put their
 * index in the field; a field without its flags keeps the schema's default (e.g. `clean`: 0).
 */
export function readFieldFlags(fields: readonly FieldFlags[], values: FlagValues): CommandInputs {
  const params: Record<string, unknown> = {};
  const prompts: PromptItem[] = [];
  const addPrompt = (label: string, text: string | undefined, ids: string | undefined, idsFlag: string): number | undefined => {
    if (text !== undefined) return prompts.push({ label, text }) - 1;
    if (ids !== undefined) return prompts.push({ label, ids: parseIds(`--${idsFlag}`, ids) }) - 1;
    return undefined;
  };
  const list = (name: string): string[] => {
    const v = values.get(name);
    return Array.isArray(v) ? v : [];
  };
  for (const f of fields) {
    switch (f.kind) {
      case 'value': {
        const texts = list(f.flag);
        if (texts.length > 1) params[f.field.name] = texts.flatMap((t) => valueOf(f.field, f.flag, t) as unknown[]);
        else if (texts.length === 1) params[f.field.name] = valueOf(f.field, f.flag, texts[0]);
        break;
      }
      case 'switch': {
        const on = values.get(f.flag);
        if (typeof on === 'boolean') params[f.field.name] = on;
        break;
      }
      case 'prompt': {
        const texts = list(f.text);
        const ids = list(f.ids);
        if (texts.length > 0 && ids.length > 0 && !f.many) throw new UsageError(`give either --${f.text} or --${f.ids}, not both`);
        const indices = [...texts.map((t, i) => addPrompt(`${f.field.name}${f.many ? `[${i}]` : ''}`, t, undefined, f.ids)), ...ids.map((t, i) => addPrompt(`${f.field.name}${f.many ? `[${texts.length + i}]` : ''}`, undefined, t, f.ids))];
        if (indices.length > 0) params[f.field.name] = f.many ? indices : indices[0];
        else if (!f.many && (f.field.required || f.field.defaultValue !== undefined)) throw new UsageError(`give the ${f.field.name === 'prompt' ? 'prompt' : `${f.field.name} prompt`} as --${f.text} TEXT or --${f.ids} 1,2,3`);
        break;
      }
      case 'corruption': {
        const text = flagValue(values, f.text);
        const ids = flagValue(values, f.ids);
        const noise = flagValue(values, NOISE_FLAGS.positions);
        const given = [text, ids, noise].filter((v) => v !== undefined).length;
        if (given > 1) throw new UsageError(`give exactly one corruption: --${f.text}, --${f.ids} or --${NOISE_FLAGS.positions}`);
        if (noise !== undefined) {
          const sigma = flagValue(values, NOISE_FLAGS.sigma);
          const seed = flagValue(values, NOISE_FLAGS.seed);
          params[f.field.name] = {
            noise: {
              positions: parseIds(`--${NOISE_FLAGS.positions}`, noise),
              ...(sigma === undefined ? {} : { sigma: numberOf(NOISE_FLAGS.sigma, sigma) }),
              ...(seed === undefined ? {} : { seed: numberOf(NOISE_FLAGS.seed, seed) }),
            },
          };
        } else {
          if (flagValue(values, NOISE_FLAGS.sigma) !== undefined || flagValue(values, NOISE_FLAGS.seed) !== undefined) {
            throw new UsageError(`--${NOISE_FLAGS.sigma} and --${NOISE_FLAGS.seed} go with --${NOISE_FLAGS.positions}`);
          }
          const index = addPrompt(f.field.name, text, ids, f.ids);
          if (index === undefined) throw new UsageError(`give the corruption: --${f.text} TEXT, --${f.ids} 1,2,3 (same token length) or --${NOISE_FLAGS.positions} 1,2`);
          params[f.field.name] = index;
        }
        break;
      }
    }
  }
  return { params, prompts };
}

/**
 * Token flags as ids: what was typed (an id, a quoted token string such as '" time"', or text
 * that is exactly one token) resolved the way every front end resolves it (token-input.ts),
 * with the flag named when it is not exactly one token.
 */
export function resolveTokenFlags(fields: readonly FieldFlags[], params: Record<string, unknown>, vocab: TokenInputVocabulary): Record<string, unknown> {
  const out = { ...params };
  for (const f of fields) {
    if (f.kind !== 'value' || f.field.input !== 'token' || out[f.field.name] === undefined) continue;
    const one = (v: unknown): unknown => {
      if (typeof v !== 'string') return v;
      const r = resolveTokenInput(v, vocab);
      if (!r.ok) throw new UsageError(`--${f.flag}: ${r.message}`);
      return r.id;
    };
    const value = out[f.field.name];
    out[f.field.name] = Array.isArray(value) ? value.map(one) : one(value);
  }
  return out;
}

/** The flag(s) that set a params field, for error messages. */
export function flagsOfField(fields: readonly FieldFlags[], field: string): string {
  const f = fields.find((x) => x.field.name === field);
  if (!f) return field;
  if (f.kind === 'prompt') return `--${f.text} / --${f.ids}`;
  if (f.kind === 'corruption') return `--${f.text} / --${f.ids} / --${NOISE_FLAGS.positions}`;
  return `--${f.flag}`;
}

function bounds(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code === 'too_small') return `${issue.origin === 'array' ? 'at least' : issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}${issue.origin === 'array' ? ' values' : ''}`;
  if (issue.code === 'too_big') return `${issue.origin === 'array' ? 'at most' : issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}${issue.origin === 'array' ? ' values' : ''}`;
  return undefined;
}

/** A schema issue as a usage error naming the flag and what it accepts. */
export function issueMessage(fields: readonly FieldFlags[], params: Record<string, unknown>, issue: z.core.$ZodIssue): string {
  const [top, ...rest] = issue.path;
  if (top === undefined) return issue.message;
  const field = String(top);
  const flags = flagsOfField(fields, field);
  const where = rest.length ? ` (${rest.map(String).join('.')})` : '';
  if (issue.code === 'invalid_type' && params[field] === undefined) return `${flags} is required`;
  const range = bounds(issue);
  const given = params[field];
  const shown = rest.length === 0 && given !== undefined && typeof given !== 'object' ? ` (got ${JSON.stringify(given)})` : '';
  if (range) return `${flags}${where}: must be ${range}${shown}`;
  if (issue.code === 'invalid_value') return `${flags}${where}: must be one of ${issue.values.map(String).join(', ')}${shown}`;
  if (issue.code === 'unrecognized_keys') return `${flags}: unknown key(s) ${issue.keys.join(', ')}`;
  return `${flags}${where}: ${issue.message}${shown}`;
}
