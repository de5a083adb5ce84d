/**
 * A circuit-tracer cross-layer transcoder folder opened in the worker from Blobs (as a folder
 * picked in the page reaches it): recognised by its config.yaml, listed with its layers and
 * width, and spliced by the method job exactly as the CLI / notebook host splices the same files
 * read from disk (nodeCltResolver, which shares no code with the worker's folder store); the
 * registry's refusals reach the caller as errors; a folder that lacks a file, is made for another
 * layer count or does not fit the model's widths is refused, naming the file or hook.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeCltResolver, nodeDictionaryResolver } from '../../analysis/dictionaries/node-resolver.ts';
import type { Json } from '../../analysis/json.ts';
import { gaussian } from '../../analysis/model/random.ts';
import { METHODS } from '../../analysis/registry/registry.ts';
import { cltFolderFiles } from '../../test/clt-files.ts';
import { jobContext, storiesHandlers } from '../../test/stories-worker.ts';
import { fileTempDir } from '../../test/temp-dir.ts';
import type { FolderFile } from '../model-sources/file-list-source.ts';
import type { OpenedDictionaries } from './dictionary-contracts.ts';
import type { JobHandlers } from './runner.ts';
import { EngineSession } from './session.ts';

const D_SAE = 16;
const PROMPT = [1, 403, 407, 261, 378, 429];
const CORRUPTED = [1, 403, 407, 261, 378, 300];
const session = new EngineSession();
const temp = fileTempDir('probescope-app-clt-');
let h: JobHandlers;

/** A random JumpReLU CLT's files for a model of `nLayers` × `dModel` (every layer writes every later one). */
function randomCltFiles(nLayers: number, dModel: number, seed = 11): Promise<Record<string, Uint8Array | string>> {
  const normal = gaussian(seed);
  const draw = (n: number, s: number) => Float32Array.from({ length: n }, () => s * normal());
  return cltFolderFiles(
    { spec: { nLayers, dModel } },
    D_SAE,
    async () => ({ wEnc: draw(D_SAE * dModel, 1 / Math.sqrt(dModel)), bEnc: draw(D_SAE, 0.1), bDec: draw(dModel, 0.1), threshold: draw(D_SAE, 0.1).map(Math.abs) }),
    async () => draw(D_SAE * dModel, 0.3),
  );
}

function blobs(files: Record<string, Uint8Array | string>, skip: readonly string[] = []): FolderFile[] {
  return Object.entries(files)
    .filter(([name]) => !skip.includes(name))
    .map(([name, bytes]) => ({ path: name, file: new Blob([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)]) }));
}

/** The same files on disk, for the Node host. */
function onDisk(files: Record<string, Uint8Array | string>, name: string): string {
  const dir = join(temp, name);
  mkdirSync(dir);
  for (const [file, bytes] of Object.entries(files)) writeFileSync(join(dir, file), bytes);
  return dir;
}

const open = (label: string, files: FolderFile[]): Promise<OpenedDictionaries> => h.openDictionary({ source: { kind: 'files', label, files } }, jobContext());

/** The worker's method job on the prompt (and the corrupted one). */
async function inWorker(method: string, params: Record<string, unknown>): Promise<Json> {
  return (await h.method({ method, params, prompts: [{ ids: PROMPT }, { ids: CORRUPTED }] }, jobContext())).result;
}

/** The same method as the CLI runs it: Node's resolvers open the folder from disk. */
function inNode(method: string, params: Record<string, unknown>): Promise<Json> {
  const model = session.requireModel();
  return METHODS.get(method)!.run(model, params, {
    signal: new AbortController().signal,
    onProgress: () => {},
    prompts: { cell: 'prompts', items: [{ ids: PROMPT }, { ids: CORRUPTED }] },
    dataset: null,
    dictionaries: nodeDictionaryResolver(model),
    crossLayerTranscoder: nodeCltResolver(model),
  });
}

type RunModelJson = { top: { id: number; logit: number }[]; captures: { hook: string }[] };

beforeAll(async () => {
  h = await storiesHandlers(session);
});

describe('a cross-layer transcoder folder opened in the app', () => {
  it('is recognised by its config.yaml and listed with its layers and width', async () => {
    const card = await open('my-clt', blobs(await randomCltFiles(5, 64)));
    expect(card.ref).toMatch(/^folder:\d+\/my-clt$/);
    expect(card.crossLayer).toEqual({ layers: 5, dSae: D_SAE });
    expect(card.dictionaries).toEqual(
      [0, 1, 2, 3, 4].map((l) => ({ label: `my-clt layer ${l}`, architecture: 'cross-layer jumprelu_transcoder', hookIn: `blocks.${l}.ln2.hook_normalized`, hookOut: `blocks.${l}.hook_mlp_out`, dSae: D_SAE })),
    );
  });

  it('spliced through a run, the method job gives what the CLI gives for the same files', async () => {
    const files = await randomCltFiles(5, 64);
    const card = await open('clt', blobs(files));
    const dir = onDisk(files, 'clt');
    const common = { prompt: 0, capture: ['blocks.*.hook_mlp_out.hook_sae_acts_post'], topK: 10 };
    for (const dictionarySplice of ['without-error', 'with-error'] as const) {
      const app = (await inWorker('run-model', { ...common, dictionaries: [card.ref], dictionarySplice })) as RunModelJson;
      const cli = (await inNode('run-model', { ...common, dictionaries: [dir], dictionarySplice })) as RunModelJson;
      expect(app).toEqual(cli);
      expect(app.captures.map((c) => c.hook)).toEqual([0, 1, 2, 3, 4].map((l) => `blocks.${l}.hook_mlp_out.hook_sae_acts_post`));
    }
    // The splice did something: the replacement model's logits are not the plain model's.
    const plain = (await inWorker('run-model', { prompt: 0, topK: 10 })) as RunModelJson;
    const replaced = (await inWorker('run-model', { prompt: 0, topK: 10, dictionaries: [card.ref], dictionarySplice: 'without-error' })) as RunModelJson;
    expect(Math.abs(replaced.top[0].logit - plain.top[0].logit)).toBeGreaterThan(1e-3);
  });

  it("drives the attribution graph as its transcoders, as the CLI's host does", async () => {
    const files = await randomCltFiles(5, 64, 23);
    const card = await open('graph-clt', blobs(files));
    const dir = onDisk(files, 'graph-clt');
    const params = { prompt: 0, batchSize: 64 };
    const app = await inWorker('attribution-graph', { ...params, transcoders: card.ref });
    const cli = await inNode('attribution-graph', { ...params, transcoders: dir });
    // The graph's metadata names the transcoders by the reference each host was given.
    expect(app).toEqual(JSON.parse(JSON.stringify(cli).replaceAll(dir, card.ref)));
    expect((app as { maxIdentityError: number }).maxIdentityError).toBeLessThan(1e-3);
  });

  it("the registry's refusals for cross-layer transcoders reach the caller", async () => {
    const card = await open('refused', blobs(await randomCltFiles(5, 64)));
    // Gradients through a CLT without its error term are not written.
    await expect(inWorker('attribution-patching', { clean: 0, corrupted: 1, dictionaries: [card.ref], dictionarySplice: 'without-error' })).rejects.toThrow(/cross-layer transcoder .* without its error term are not implemented/);
    // Feature dashboards and search read one SAE or per-layer transcoder.
    await expect(inWorker('feature-search', { dictionary: card.ref, prompt: 0 })).rejects.toThrow(/params\.dictionary: folder:\d+\/refused is a cross-layer transcoder/);
  });

  it('refuses a folder lacking a file, made for another layer count, or of another width, naming it', async () => {
    const files = await randomCltFiles(5, 64);
    await expect(open('no-enc', blobs(files, ['W_enc_2.safetensors']))).rejects.toThrow(/no-enc: W_enc_2\.safetensors not found/);
    await expect(open('no-dec', blobs(files, ['W_dec_3.safetensors']))).rejects.toThrow(/no-dec: W_dec_3\.safetensors not found/);
    await expect(open('four-layers', blobs(await randomCltFiles(4, 64)))).rejects.toThrow(/W_dec_0\.safetensors \(four-layers\): tensor "W_dec_0" has shape \[16, 4, 64\], expected \[\*, 5, \*\]/);
    await expect(open('narrow', blobs(await randomCltFiles(5, 32)))).rejects.toThrow(/dictionary narrow layer 0: input width 32 does not match blocks\.0\.ln2\.hook_normalized, which is 64 wide/);
  });
});
