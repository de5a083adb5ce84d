/**
 * The five fuzz targets of issue #11: the safetensors parser, config.json (through the whole
 * loader and a forward pass), tokenizer loading, .probescope import and notebook validation.
 * Each has a fast-check arbitrary of hostile inputs grown from a well-formed seed, and a `run`
 * that applies the oracle:
 *   - accepted: the input loaded; where it describes the seed's data it gave the same numbers
 *     (else "wrong-numbers": e.g. a shifted data section read as the same tensors), and nothing
 *     that loaded gives NaN or ±Infinity (that would be "silent-nan");
 *   - clean-error: an error of the parser's own type, on one line, naming the file (and field);
 *   - unclean-error: anything else thrown (TypeError, RangeError, a multi-line message, …).
 * Hangs, crashes and memory are judged outside, by the campaign (child processes).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync, constants as zlib } from 'node:zlib';
import fc from 'fast-check';
import { ModelFormatError } from '../../analysis/formats/errors.ts';
import { MemorySource } from '../../analysis/formats/memory-source.ts';
import { frameRawHeader } from '../../analysis/formats/safetensors-writer.ts';
import { SafetensorsCheckpoint, toFloat32 } from '../../analysis/formats/safetensors.ts';
import { loadGgufHostModel } from '../../analysis/model/gguf-load.ts';
import { loadHostModel, loadTokenizerIfPresent } from '../../analysis/model/load.ts';
import { modelOnBackend } from '../../analysis/model/model.ts';
import { run as runModel } from '../../analysis/model/run.ts';
import { createCpuBackend } from '../../gpu/cpu/backend.ts';
import type { HostWeight } from '../../gpu/backend.ts';
import { parseNotebookText, NotebookValidationError } from '../../notebooks/validate.ts';
import { crc32 } from '../../renderer/storage/share/crc32.ts';
import { ShareFormatError } from '../../renderer/storage/share/errors.ts';
import { encodeProjectFile } from '../../renderer/storage/share/export.ts';
import { readProjectFile } from '../../renderer/storage/share/import.ts';
import { makeRawZip } from '../../renderer/storage/share/zip-test-support.ts';
import type { JsonValue } from './mutate.ts';
import { applyByteEdits, byteEdits, mutatedJsonText } from './mutate.ts';

export type Outcome = 'accepted' | 'clean-error' | 'unclean-error' | 'silent-nan' | 'wrong-numbers';

export interface Verdict {
  readonly outcome: Outcome;
  readonly detail: string;
}

/** Inputs cross process boundaries (the campaign's workers): text or bytes only. */
export type FuzzInput = string | Uint8Array;

export interface FuzzTarget {
  readonly name: string;
  readonly inputs: fc.Arbitrary<FuzzInput>;
  run(input: FuzzInput): Promise<Verdict>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures');
const fixture = (rel: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, rel)));
const fixtureJson = (rel: string): JsonValue => JSON.parse(readFileSync(join(FIXTURES, rel), 'utf8')) as JsonValue;

const accepted = (detail = ''): Verdict => ({ outcome: 'accepted', detail });

/** clean-error when `e` is one of `types`, on one line, mentioning one of `names`. */
function classify(e: unknown, types: readonly (abstract new (...args: never[]) => Error)[], names: readonly string[]): Verdict {
  const message = e instanceof Error ? e.message : String(e);
  const kind = e instanceof Error ? e.name : typeof e;
  const clean = types.some((t) => e instanceof t) && !message.includes('\n') && (names.length === 0 || names.some((n) => message.includes(n)));
  return { outcome: clean ? 'clean-error' : 'unclean-error', detail: `${kind}: ${message.slice(0, 400)}` };
}

function nonFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return true;
  return false;
}

// --- safetensors ---------------------------------------------------------------------------

function weight(name: string, dtype: HostWeight['dtype'], shape: number[], data: Float32Array | Uint16Array): HostWeight {
  return { name, dtype, shape, data };
}

/** A small checkpoint with every computed dtype, finite values, metadata, and a space-padded header. */
function safetensorsSeed(): { bytes: Uint8Array; headerEnd: number } {
  const weights = [
    weight('embed', 'F32', [6, 4], Float32Array.from({ length: 24 }, (_, i) => i * 0.25 - 3)),
    weight('norm', 'F16', [4], new Uint16Array([0x3c00, 0x3800, 0xbc00, 0x4000])),
    weight('bias', 'BF16', [3], new Uint16Array([0x3f80, 0xc040, 0x0000])),
    weight('empty', 'F32', [0, 4], new Float32Array(0)),
  ];
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const w of weights) {
    const bytes = new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength);
    header[w.name] = { dtype: w.dtype, shape: w.shape, data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat(8 + ((8 - ((8 + json.length + 8) % 8)) % 8));
  const data = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  const headerBytes = new TextEncoder().encode(json);
  return { bytes: frameRawHeader(headerBytes, data), headerEnd: 8 + headerBytes.length };
}

interface ReadTensors {
  readonly values: Map<string, Float32Array>;
  /** name, dtype and shape of every tensor: what the header says the file holds. */
  readonly description: string;
}

async function readAllTensors(bytes: Uint8Array): Promise<ReadTensors> {
  const ckpt = await SafetensorsCheckpoint.open(new MemorySource('fuzz', { 'model.safetensors': bytes }));
  const values = new Map<string, Float32Array>();
  for (const name of ckpt.names()) values.set(name, toFloat32(await ckpt.read(name)));
  const description = JSON.stringify(ckpt.names().sort().map((n) => [n, ckpt.entry(n).dtype, ckpt.entry(n).shape]));
  return { values, description };
}

function sameTensors(a: ReadonlyMap<string, Float32Array>, b: ReadonlyMap<string, Float32Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, values] of a) {
    const other = b.get(name);
    if (other === undefined || other.length !== values.length || values.some((v, i) => !Object.is(v, other[i]))) return false;
  }
  return true;
}

function safetensorsTarget(): FuzzTarget {
  const seed = safetensorsSeed();
  const original = readAllTensors(seed.bytes);
  const headerJson = JSON.parse(new TextDecoder().decode(seed.bytes.subarray(8, seed.headerEnd))) as JsonValue;
  const data = seed.bytes.subarray(seed.headerEnd);
  const inputs = fc.oneof(
    // Bytes of the length prefix and the header (the data section is the file's content, not its structure).
    { weight: 2, arbitrary: byteEdits(seed.headerEnd).map((edits) => applyByteEdits(seed.bytes, edits)) },
    // The header length moved by a few bytes, into the padding or the data.
    {
      weight: 1,
      arbitrary: fc.integer({ min: -12, max: 12 }).map((d) => {
        const bytes = seed.bytes.slice();
        new DataView(bytes.buffer).setBigUint64(0, BigInt(seed.headerEnd - 8 + d), true);
        return bytes;
      }),
    },
    // A structurally edited header in front of the same data.
    {
      weight: 3,
      arbitrary: fc.tuple(mutatedJsonText(headerJson), fc.nat({ max: 12 })).map(([text, pad]) => frameRawHeader(new TextEncoder().encode(text + ' '.repeat(pad)), data)),
    },
  );
  return {
    name: 'safetensors',
    inputs,
    async run(input) {
      let tensors: ReadTensors;
      try {
        tensors = await readAllTensors(input as Uint8Array);
      } catch (e) {
        return classify(e, [ModelFormatError], ['model.safetensors']);
      }
      const seedTensors = await original;
      if (sameTensors(tensors.values, seedTensors.values)) return accepted('same numbers as the seed');
      for (const [name, values] of tensors.values) if (nonFinite(values)) return { outcome: 'silent-nan', detail: `tensor ${name} loaded with non-finite values` };
      // The seed's tensors exactly (names, dtypes, shapes) but other numbers: its data was misread.
      if (tensors.description === seedTensors.description) return { outcome: 'wrong-numbers', detail: 'the same tensors as the seed loaded with different values' };
      return accepted('a different, self-consistent file');
    },
  };
}

// --- config.json (whole loader + a forward pass) -------------------------------------------

const CONFIG_MODELS = ['stories260K-hf', 'gpt2-tiny', 'pythia-tiny', 'llama-tiny', 'qwen2-tiny'] as const;

function configTarget(): FuzzTarget {
  const weights = new Map(CONFIG_MODELS.map((m) => [m, fixture(`${m}/model.safetensors`)]));
  const generation = new Map(CONFIG_MODELS.map((m) => [m, fixture(`${m}/generation_config.json`)]));
  const inputs = fc
    .constantFrom(...CONFIG_MODELS)
    .chain((model) => mutatedJsonText(fixtureJson(`${model}/config.json`)).map((text) => `${model}\n${text}`));
  const sourceFor = (model: (typeof CONFIG_MODELS)[number], config: string | Uint8Array) =>
    new MemorySource('fuzz', { 'config.json': config, 'generation_config.json': generation.get(model)!, 'model.safetensors': weights.get(model)! });
  const probeLogits = async (loaded: Awaited<ReturnType<typeof loadHostModel>>): Promise<Float32Array> => {
    const ids = [0, 1, 2, 3].map((i) => Math.min(i + 1, loaded.spec.dVocab - 1));
    return (await runModel(modelOnBackend({ ...loaded, label: 'fuzz' }, createCpuBackend()), { ids: [ids] })).logits!.data as Float32Array;
  };
  /** Each seed's spec and logits: an edited config that yields the same spec must give the same numbers. */
  const seeds = new Map<string, Promise<{ spec: string; logits: Float32Array }>>();
  const seedOf = (model: (typeof CONFIG_MODELS)[number]) => {
    if (!seeds.has(model)) {
      seeds.set(model, loadHostModel(sourceFor(model, fixture(`${model}/config.json`))).then(async (m) => ({ spec: JSON.stringify(m.spec), logits: await probeLogits(m) })));
    }
    return seeds.get(model)!;
  };
  return {
    name: 'config',
    inputs,
    async run(input) {
      const text = input as string;
      const cut = text.indexOf('\n');
      const model = text.slice(0, cut) as (typeof CONFIG_MODELS)[number];
      let loaded;
      try {
        loaded = await loadHostModel(sourceFor(model, text.slice(cut + 1)));
      } catch (e) {
        return classify(e, [ModelFormatError], ['config.json', 'model.safetensors']);
      }
      try {
        const logits = await probeLogits(loaded);
        if (nonFinite(logits)) return { outcome: 'silent-nan', detail: `config ${text.slice(cut + 1, cut + 300)} loaded and gave non-finite logits` };
        const seed = await seedOf(model);
        if (JSON.stringify(loaded.spec) === seed.spec && logits.some((v, i) => v !== seed.logits[i])) {
          return { outcome: 'wrong-numbers', detail: `the seed's spec, other logits: ${text.slice(cut + 1, cut + 300)}` };
        }
      } catch (e) {
        // A context shorter than the 4-token probe is a refusal at use, with its own message.
        if (e instanceof Error && /context/.test(e.message) && !e.message.includes('\n')) return accepted('context shorter than the probe');
        return { outcome: 'unclean-error', detail: `forward pass of a loaded model threw ${(e as Error).name}: ${(e as Error).message.slice(0, 300)}` };
      }
      return accepted();
    },
  };
}

// --- tokenizer.json --------------------------------------------------------------------------

const PROBE_TEXT = 'Once upon a time, Lily saw a big cat.\n  "Hi!" <s> 3.14 é 😀';

function tokenizerTarget(): FuzzTarget {
  const config = fixture('stories260K-hf/tokenizer_config.json');
  const seed = fixtureJson('stories260K-hf/tokenizer.json') as { model: { vocab: JsonValue; merges: JsonValue } & Record<string, JsonValue> } & Record<string, JsonValue>;
  // Most of the file is vocabulary and merges; edits also go to the rest on purpose (normalizer,
  // pre-tokenizer, added tokens, post-processor, the model's own settings).
  const { model, ...rest } = seed;
  const { vocab, merges, ...modelSettings } = model;
  const inputs = fc.oneof(
    mutatedJsonText(seed),
    mutatedJsonText(rest).map((text) => (text.startsWith('{') && text.endsWith('}') && text.length > 2 ? `{"model":${JSON.stringify(model)},${text.slice(1)}` : text)),
    mutatedJsonText(modelSettings).map((text) => {
      try {
        const edited = JSON.parse(text) as unknown;
        if (typeof edited !== 'object' || edited === null || Array.isArray(edited)) return JSON.stringify({ ...rest, model: edited });
        return JSON.stringify({ ...rest, model: { ...edited, vocab, merges } });
      } catch {
        return text;
      }
    }),
  );
  return {
    name: 'tokenizer',
    inputs,
    async run(input) {
      let tokenizer;
      try {
        tokenizer = await loadTokenizerIfPresent(new MemorySource('fuzz', { 'tokenizer.json': input as string, 'tokenizer_config.json': config }));
      } catch (e) {
        return classify(e, [ModelFormatError], ['tokenizer.json', 'tokenizer_config.json']);
      }
      if (tokenizer === null) return { outcome: 'unclean-error', detail: 'a present tokenizer.json was ignored' };
      try {
        const ids = tokenizer.encode(PROBE_TEXT, { prependBos: false });
        const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= tokenizer.vocabSize);
        if (bad !== undefined) return { outcome: 'unclean-error', detail: `encode gave id ${bad} outside the vocabulary of ${tokenizer.vocabSize}` };
        tokenizer.decode(ids);
        for (const id of ids) tokenizer.tokenString(id);
      } catch (e) {
        return { outcome: 'unclean-error', detail: `a loaded tokenizer threw ${(e as Error).name}: ${(e as Error).message.slice(0, 300)}` };
      }
      return accepted();
    },
  };
}

// --- .probescope import ----------------------------------------------------------------------

function projectSeed(): Uint8Array {
  const t = 1_700_000_000_000;
  return encodeProjectFile(
    {
      project: { id: 'p1', name: 'fuzz', model: null, createdAt: t, updatedAt: t, deletedAt: null },
      prompts: [{ id: 'q1', projectId: 'p1', name: 'story', text: 'Once upon a time', corrupted: 'Once upon a dime', createdAt: t, updatedAt: t }],
      datasets: [{ id: 'd1', projectId: 'p1', name: 'pairs', items: [{ text: 'he', label: 0 }, { text: 'she', label: 'f' }], createdAt: t, updatedAt: t }],
      experiments: [{ id: 'e1', projectId: 'p1', kind: 'logit-lens', label: 'lens', params: { topK: 3 }, model: null, createdAt: t }],
      results: [{ id: 'e1', projectId: 'p1', value: { logits: Float32Array.from({ length: 64 }, (_, i) => Math.sin(i)), rows: [1, 2, 3] } }],
      figures: [],
      probes: [],
      notebooks: [],
    },
    { now: new Date(t), appVersion: '0.1.0' },
  );
}

const MiB = 1024 * 1024;

/** A deflate stream of `mib` MiB of zeros without allocating them (sync-flushed blocks, repeated). */
function zerosDeflated(mib: number): Uint8Array {
  const block = deflateRawSync(new Uint8Array(MiB), { level: 9, finishFlush: zlib.Z_SYNC_FLUSH });
  const final = deflateRawSync(new Uint8Array(0));
  const out = new Uint8Array(block.length * mib + final.length);
  for (let i = 0; i < mib; i++) out.set(block, i * block.length);
  out.set(final, block.length * mib);
  return out;
}

function projectTarget(): FuzzTarget {
  const seed = projectSeed();
  const { manifest, document } = readProjectFile(seed);
  const bomb = fc
    .record({ entries: fc.integer({ min: 1, max: 3 }), mib: fc.constantFrom(1, 17, 64, 300), declared: fc.constantFrom(1, 16 * MiB, 300 * MiB, 1008 * MiB) })
    .map(({ entries, mib, declared }) => {
      const json = (name: string, value: unknown) => {
        const data = new TextEncoder().encode(JSON.stringify(value));
        return { name, data, method: 0 as const, size: data.length, crc: crc32(data) };
      };
      const data = zerosDeflated(mib);
      return makeRawZip([
        json('manifest.json', manifest),
        json('project.json', document),
        ...Array.from({ length: entries }, (_, i) => ({ name: `arrays/${i}.bin`, data, method: 8 as const, size: declared, crc: 0 })),
      ]);
    });
  const { arrays } = readProjectFile(seed);
  const stored = (name: string, data: Uint8Array) => ({ name, data, method: 0 as const, size: data.length, crc: crc32(data) });
  const editedDocument = mutatedJsonText(document as unknown as JsonValue).map((text) =>
    makeRawZip([
      stored('manifest.json', new TextEncoder().encode(JSON.stringify(manifest))),
      stored('project.json', new TextEncoder().encode(text)),
      ...[...arrays].map(([name, data]) => stored(name, data)),
    ]),
  );
  const inputs = fc.oneof(
    { weight: 3, arbitrary: byteEdits(seed.length).map((edits) => applyByteEdits(seed, edits)) },
    { weight: 3, arbitrary: editedDocument },
    { weight: 1, arbitrary: bomb },
  );
  return {
    name: 'probescope',
    inputs,
    async run(input) {
      try {
        readProjectFile(input as Uint8Array);
      } catch (e) {
        return classify(e, [ShareFormatError], []);
      }
      return accepted();
    },
  };
}

// --- GGUF (header, metadata, tensor infos; whole loader + a forward pass) --------------------

export const GGUF_SEED_HEADER_BYTES = 14464;

function ggufTarget(): FuzzTarget {
  const seed = fixture('gguf/stories260K/q4_0.gguf');
  // Edits stay in front of the data section (q4_0.gguf's data starts at byte 14464): header,
  // metadata (tokenizer arrays included) and tensor infos are the structure; data is content.
  const inputs = byteEdits(GGUF_SEED_HEADER_BYTES).map((edits) => applyByteEdits(seed, edits));
  return {
    name: 'gguf',
    inputs,
    async run(input) {
      let logits: Float32Array;
      try {
        const host = await loadGgufHostModel(new MemorySource('fuzz', { 'model.gguf': input as Uint8Array }), 'model.gguf');
        const model = modelOnBackend({ ...host, label: 'fuzz' }, createCpuBackend());
        logits = (await runModel(model, { ids: [1, 2, 3].map((i) => i % model.spec.dVocab) })).logits!.data;
      } catch (e) {
        return classify(e, [ModelFormatError], ['model.gguf']);
      }
      return nonFinite(logits) ? { outcome: 'silent-nan', detail: 'logits not finite' } : accepted();
    },
  };
}

// --- notebook validation ---------------------------------------------------------------------

function notebookTarget(): FuzzTarget {
  const dir = join(ROOT, 'notebooks/examples');
  const examples = readdirSync(dir).filter((f) => f.endsWith('.probescope-notebook.json')).sort();
  const inputs = fc.constantFrom(...examples).chain((f) => mutatedJsonText(JSON.parse(readFileSync(join(dir, f), 'utf8')) as JsonValue));
  return {
    name: 'notebook',
    inputs,
    async run(input) {
      try {
        parseNotebookText(input as string);
      } catch (e) {
        return classify(e, [NotebookValidationError], []);
      }
      return accepted();
    },
  };
}

const FACTORIES: Readonly<Record<string, () => FuzzTarget>> = {
  safetensors: safetensorsTarget,
  config: configTarget,
  tokenizer: tokenizerTarget,
  probescope: projectTarget,
  notebook: notebookTarget,
  gguf: ggufTarget,
};

export const TARGET_NAMES = Object.keys(FACTORIES);

/** Builds a target (reading its seed files) by name. */
export function fuzzTarget(name: string): FuzzTarget {
  if (!Object.hasOwn(FACTORIES, name)) throw new Error(`no fuzz target "${name}" (targets: ${TARGET_NAMES.join(', ')})`);
  return FACTORIES[name]();
}
