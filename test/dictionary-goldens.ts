/**
 * The sparse-dictionary goldens (test/fixtures/saes/<host>/<dictionary>/reference.json, copied
 * unchanged from the shared fixtures) checked on any backend: feature activations (active sets
 * and L0 exactly, values within 1e-4 + 1e-4·|ref|), reconstruction, error, spliced logits with
 * and without the error term, and the steering goldens. CPU and WebGPU test files call this.
 */
import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Backend } from '../gpu/backend.ts';
import { NodeFolderSource } from '../analysis/formats/node-source.ts';
import { loadCircuitTracerSet } from '../analysis/dictionaries/circuit-tracer.ts';
import { dictionaryHook } from '../analysis/dictionaries/dictionary.ts';
import type { HostDictionary } from '../analysis/dictionaries/dictionary.ts';
import type { Dictionary } from '../analysis/dictionaries/device.ts';
import { dictionaryOnBackend } from '../analysis/dictionaries/device.ts';
import { checkDictionaryForModel } from '../analysis/dictionaries/open.ts';
import { loadSaeLens } from '../analysis/dictionaries/saelens.ts';
import type { DictionaryUseSpec } from '../analysis/dictionaries/splice.ts';
import type { Model } from '../analysis/model/model.ts';
import { modelOnBackend } from '../analysis/model/model.ts';
import { loadHostModel } from '../analysis/model/load.ts';
import { run } from '../analysis/model/run.ts';
import type { Nested } from './compare.ts';
import { flatten, worstMismatch } from './compare.ts';
import { FIXTURES } from './reference.ts';

export const SAE_HOSTS = ['stories260K-hf', 'gemma3-tiny'] as const;
export type SaeHost = (typeof SAE_HOSTS)[number];

export interface IndexRow {
  readonly folder: string;
  readonly format: string;
  readonly steer_feature: number | null;
}

interface Spliced {
  readonly loss: number;
  readonly logits: Nested;
}

export interface DictionaryGoldenInput {
  readonly name: string;
  readonly input_ids: number[];
  readonly x?: Nested;
  readonly feature_acts: Record<string, [number, number][]>;
  readonly l0: number[];
  readonly reconstruction?: Nested;
  readonly transcoder_output?: Nested;
  readonly error?: Nested;
  readonly clean_loss: number;
  readonly spliced_with_error?: { readonly loss: number };
  readonly spliced_reconstruction?: Spliced;
  readonly steer_zero?: Spliced;
  readonly steer_double?: Spliced;
  readonly mlp_replaced_loss?: number;
}

export interface DictionaryGolden {
  readonly name: string;
  readonly steer?: { readonly feature: number; readonly factors: number[] };
  readonly stats?: { readonly fvu: number };
  readonly inputs: DictionaryGoldenInput[];
}

export function saeFolder(host: SaeHost, folder = ''): string {
  return `${FIXTURES}saes/${host}/${folder}`;
}

export function hostAvailable(host: SaeHost): boolean {
  return existsSync(`${FIXTURES}${host}/config.json`);
}

export function dictionaryIndex(host: SaeHost): IndexRow[] {
  return (JSON.parse(readFileSync(`${saeFolder(host)}index.json`, 'utf8')) as { dictionaries: IndexRow[] }).dictionaries;
}

export function loadGolden(host: SaeHost, folder: string): DictionaryGolden {
  return JSON.parse(readFileSync(`${saeFolder(host, folder)}/reference.json`, 'utf8')) as DictionaryGolden;
}

export async function loadHost(host: SaeHost, backend: Backend): Promise<Model> {
  const parts = await loadHostModel(new NodeFolderSource(`${FIXTURES}${host}`));
  return modelOnBackend({ ...parts, label: host }, backend);
}

export async function loadFixtureDictionary(host: SaeHost, row: IndexRow, nLayers: number): Promise<HostDictionary> {
  const source = new NodeFolderSource(saeFolder(host, row.folder));
  if (row.format === 'SAELens') return loadSaeLens(source);
  const set = await loadCircuitTracerSet(source, nLayers);
  expect(set).toHaveLength(1);
  return set[0];
}

/** Dense [S, d_sae] from the golden's sparse {"pos": [[feature, value], …]}. */
export function denseActs(input: DictionaryGoldenInput, dSae: number): Float64Array {
  const S = input.input_ids.length;
  const out = new Float64Array(S * dSae);
  for (let p = 0; p < S; p++) for (const [f, v] of input.feature_acts[String(p)]) out[p * dSae + f] = v;
  return out;
}

/** Worst |a − b| seen per quantity, for the report. */
export type Worst = Record<string, number>;

function note(worst: Worst, key: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  let m = 0;
  for (let i = 0; i < expected.length; i++) m = Math.max(m, Math.abs(actual[i] - expected[i]));
  worst[key] = Math.max(worst[key] ?? 0, m);
}

function expectWithin(worst: Worst, key: string, actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(worstMismatch(actual, expected), what).toBeNull();
  note(worst, key, actual, expected);
}

async function spliced(model: Model, dict: Dictionary, ids: number[], use: DictionaryUseSpec) {
  return run(model, { ids }, { dictionaries: [{ dictionary: dict, ...use }] });
}

/**
 * Every golden of one dictionary on `backend`. Returns the worst absolute error per quantity.
 * `hostLogits(i)` gives input i's clean logits from the host reference (the with-error goldens).
 */
export async function checkDictionaryGoldens(
  model: Model,
  host: HostDictionary,
  golden: DictionaryGolden,
  hostLogits: (i: number) => Float64Array,
  /** Which inputs to check (default all; the WebGPU tests take one to stay small). */
  only?: readonly number[],
): Promise<Worst> {
  const worst: Worst = {};
  checkDictionaryForModel(host.config, model.hookPoints, model.spec);
  const dict = dictionaryOnBackend(host, model.backend);
  const { dSae, dOut, hookOut } = host.config;
  for (const [i, input] of golden.inputs.entries()) {
    if (only && !only.includes(i)) continue;
    const ids = input.input_ids;
    const S = ids.length;
    const where = `${golden.name} ${input.name}`;
    const names = [dictionaryHook.actsPost(hookOut), dictionaryHook.recons(hookOut), dictionaryHook.error(hookOut)];
    const withError = await run(model, { ids }, { capture: names, dictionaries: [{ dictionary: dict, errorTerm: true }] });
    const acts = withError.cache[names[0]];
    expect(acts.shape).toEqual([1, S, dSae]);
    // Active sets and L0 exactly (every decision has a margin ≥ 0.0128 in input units).
    const want = denseActs(input, dSae);
    for (let p = 0; p < S; p++) {
      const got = [...acts.data.subarray(p * dSae, (p + 1) * dSae)].flatMap((v, f) => (v !== 0 ? [f] : []));
      expect(got, `${where} position ${p} active features`).toEqual(input.feature_acts[String(p)].map(([f]) => f));
      expect(got.length, `${where} position ${p} L0`).toBe(input.l0[p]);
    }
    expectWithin(worst, 'feature_acts', acts.data, want, `${where} feature acts`);
    const recons = flatten((input.reconstruction ?? input.transcoder_output)!).data;
    expectWithin(worst, 'reconstruction', withError.cache[names[1]].data, recons, `${where} reconstruction`);
    if (input.error) expectWithin(worst, 'error', withError.cache[names[2]].data, flatten(input.error).data, `${where} error`);
    expect(withError.cache[names[1]].shape).toEqual([1, S, dOut]);

    // (a) with the error term: the clean logits (the host reference's).
    expectWithin(worst, 'spliced_with_error_logits', withError.logits!.data, hostLogits(i), `${where} spliced with error logits`);
    if (input.spliced_with_error) expect(Math.abs(withError.loss! - input.spliced_with_error.loss)).toBeLessThanOrEqual(1e-4 + 1e-4 * input.spliced_with_error.loss);

    // (b) the reconstruction alone.
    const recOnly = await spliced(model, dict, ids, {});
    const lossRef = input.spliced_reconstruction?.loss ?? input.mlp_replaced_loss!;
    expect(Math.abs(recOnly.loss! - lossRef), `${where} spliced reconstruction loss`).toBeLessThanOrEqual(1e-4 + 1e-4 * lossRef);
    note(worst, 'loss', [recOnly.loss!], [lossRef]);
    if (input.spliced_reconstruction) {
      expectWithin(worst, 'spliced_reconstruction_logits', recOnly.logits!.data, flatten(input.spliced_reconstruction.logits).data, `${where} spliced reconstruction logits`);
    }

    // (c) steering: feature × 0 and × 2, with the error term.
    if (golden.steer && input.steer_zero && input.steer_double) {
      for (const [factor, ref] of [[0, input.steer_zero], [2, input.steer_double]] as const) {
        const r = await spliced(model, dict, ids, { errorTerm: true, features: [{ feature: golden.steer.feature, op: 'scale', value: factor }] });
        expectWithin(worst, 'steer_logits', r.logits!.data, flatten(ref.logits).data, `${where} steer ×${factor} logits`);
        expect(Math.abs(r.loss! - ref.loss)).toBeLessThanOrEqual(1e-4 + 1e-4 * ref.loss);
      }
    }
  }
  return worst;
}
