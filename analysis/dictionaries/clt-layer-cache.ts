/**
 * The layers of the last cross-layer transcoder a host's runs spliced (`cltLayers`: every encoder
 * and decoder row read from the folder), kept so the next run of the same CLT on the same model
 * reads no file again. A CLT's rows into later layers are its bulk (for a Gemma-2-size CLT,
 * gigabytes), so the cache holds one CLT for one model: another CLT, another model, or `release`
 * (the host's model changed or the folder was closed) drops it.
 */
import type { CltLayer, CrossLayerTranscoder } from './circuit-tracer.ts';
import { cltLayers } from './circuit-tracer.ts';

interface Entry {
  readonly clt: CrossLayerTranscoder;
  /** The model the layers were loaded for (the host's open model, without interventions). */
  readonly model: object;
  readonly layers: Promise<CltLayer[]>;
}

export class CltLayerCache {
  private entry: Entry | null = null;

  /**
   * `clt`'s layers, read once while it stays the cached CLT for `model`. The arrays are shared by
   * every run that asks: callers upload them, never change them. A failed read is not kept.
   */
  layers(clt: CrossLayerTranscoder, model: object): Promise<CltLayer[]> {
    const kept = this.entry;
    if (kept && kept.clt === clt && kept.model === model) return kept.layers;
    const entry: Entry = { clt, model, layers: cltLayers(clt) };
    this.entry = entry;
    entry.layers.catch(() => {
      if (this.entry === entry) this.entry = null;
    });
    return entry.layers;
  }

  /** Drops the kept layers (the host's model changed, or the folder was closed). */
  release(): void {
    this.entry = null;
  }
}
