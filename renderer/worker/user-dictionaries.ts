/**
 * The dictionary folders the user opened this session, by reference. A folder is opened with
 * analysis/dictionaries/open-set.ts (SAELens, circuit-tracer, Gemma Scope 2, or one SAELens
 * folder per hook), or, when its config.yaml says so, as a circuit-tracer cross-layer transcoder
 * (headers only: decoder rows are read when a method splices it). Each is checked against the
 * open model (hooks exist, widths match, layer count; the error names the dictionary, hook,
 * width or file), then kept on the host so methods can place it on the model's backend for each run.
 * The last cross-layer transcoder a run spliced keeps its loaded layers (decoder rows read whole)
 * for the next run on the same model; loading another model releases them.
 */
import type { CltLayer } from '../../analysis/dictionaries/circuit-tracer.ts';
import { CrossLayerTranscoder, isCrossLayerTranscoder } from '../../analysis/dictionaries/circuit-tracer.ts';
import { CltLayerCache } from '../../analysis/dictionaries/clt-layer-cache.ts';
import { checkDictionaryForModel } from '../../analysis/dictionaries/open.ts';
import { openDictionarySet } from '../../analysis/dictionaries/open-set.ts';
import type { HostDictionary } from '../../analysis/dictionaries/dictionary.ts';
import type { ModelSource } from '../../analysis/formats/source.ts';
import type { Model } from '../../analysis/model/model.ts';
import type { FolderFile } from '../model-sources/file-list-source.ts';
import type { OpenedDictionaries } from './dictionary-contracts.ts';
import { JobInputError } from './errors.ts';

export const USER_DICTIONARY_PREFIX = 'folder:';

export class UserDictionaries {
  private readonly opened = new Map<string, HostDictionary[] | CrossLayerTranscoder>();
  private readonly loaded = new CltLayerCache();
  private count = 0;

  /** Opens every dictionary of `source` (or its cross-layer transcoder), checks it against `model`, and registers it under a new reference. */
  async open(source: ModelSource, model: Model, digest: string): Promise<OpenedDictionaries> {
    if (await isCrossLayerTranscoder(source)) return this.openCrossLayer(source, model, digest);
    const found = await openDictionarySet(source, model.hookPoints.map((p) => p.name), model.spec.nLayers);
    for (const d of found) checkDictionaryForModel(d.config, model.hookPoints, model.spec);
    const ref = this.register(source, found);
    return {
      ref,
      label: source.label,
      digest,
      dictionaries: found.map(({ config: c }) => ({ label: c.label, architecture: c.architecture, hookIn: c.hookIn, hookOut: c.hookOut, dSae: c.dSae })),
    };
  }

  /** A CLT needs one W_dec_{i} per model layer (CrossLayerTranscoder.open) and every encoder file; each layer must fit the model's hooks. */
  private async openCrossLayer(source: ModelSource, model: Model, digest: string): Promise<OpenedDictionaries> {
    const clt = await CrossLayerTranscoder.open(source, model.spec.nLayers);
    const layers = await clt.layerConfigs(source.label);
    for (const c of layers) checkDictionaryForModel(c, model.hookPoints, model.spec);
    return {
      ref: this.register(source, clt),
      label: source.label,
      digest,
      dictionaries: layers.map((c) => ({ label: c.label, architecture: `cross-layer ${c.architecture}`, hookIn: c.hookIn, hookOut: c.hookOut, dSae: c.dSae })),
      crossLayer: { layers: clt.nLayers, dSae: clt.dTranscoder },
    };
  }

  private register(source: ModelSource, opened: HostDictionary[] | CrossLayerTranscoder): string {
    const ref = `${USER_DICTIONARY_PREFIX}${++this.count}/${source.label}`;
    this.opened.set(ref, opened);
    return ref;
  }

  has(ref: string): boolean {
    return ref.startsWith(USER_DICTIONARY_PREFIX);
  }

  /** The dictionaries of an opened folder; `field` names the params field in the error. */
  resolve(ref: string, field: string): HostDictionary[] {
    const found = this.opened.get(ref);
    if (!found) throw new JobInputError(`params.${field}: ${ref} is not open in this session (open the folder again)`);
    if (found instanceof CrossLayerTranscoder) {
      throw new JobInputError(
        `params.${field}: ${ref} is a cross-layer transcoder; ${field} takes SAEs and per-layer transcoders. A cross-layer transcoder is used whole: in a method's dictionaries (spliced into every MLP output) or as an attribution graph's transcoders.`,
      );
    }
    return found;
  }

  /** The opened cross-layer transcoder `ref` names; null for any other reference (resolve then answers for it). */
  crossLayer(ref: string): CrossLayerTranscoder | null {
    const found = this.opened.get(ref);
    return found instanceof CrossLayerTranscoder ? found : null;
  }

  /** An opened cross-layer transcoder's layers for `model`, read from its files only when not kept from an earlier run. */
  crossLayerLayers(clt: CrossLayerTranscoder, model: Model): Promise<CltLayer[]> {
    return this.loaded.layers(clt, model);
  }

  /** Drops the kept CLT layers: the model they were loaded for is being replaced. */
  releaseLoadedLayers(): void {
    this.loaded.release();
  }
}

function hex(digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

const WINDOWS = 16;
const WINDOW_BYTES = 64 * 1024;

/** Byte ranges of a file that the digest reads: all of it when small, else WINDOWS windows spread evenly. */
function sampledRanges(size: number): Array<[number, number]> {
  if (size <= WINDOWS * WINDOW_BYTES) return [[0, size]];
  const step = (size - WINDOW_BYTES) / (WINDOWS - 1);
  return Array.from({ length: WINDOWS }, (_, k) => [Math.floor(k * step), Math.floor(k * step) + WINDOW_BYTES] as [number, number]);
}

/**
 * SHA-256 over every file's path and size and a bounded sample of its bytes (at most 1 MiB per
 * file, so a multi-gigabyte dictionary is not read whole), so two folders with the same name but
 * other weights get other stored dashboards. Not a security check: an edit between windows is
 * not seen.
 */
export async function folderDigest(files: readonly FolderFile[]): Promise<string> {
  const parts: Uint8Array[] = [];
  const text = new TextEncoder();
  for (const { path, file } of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    parts.push(text.encode(`${path}\n${file.size}\n`));
    for (const [start, end] of sampledRanges(file.size)) parts.push(new Uint8Array(await file.slice(start, end).arrayBuffer()));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return `sha256:${hex(await globalThis.crypto.subtle.digest('SHA-256', all))}`;
}
