/**
 * Which backend "auto" should use, from what the WebGPU adapter says about itself. A software
 * adapter (Chromium's SwiftShader, Mesa's llvmpipe/lavapipe, Windows' WARP) runs WGSL on the
 * CPU through an emulated GPU and is 10–50× slower than the CPU backend for every method, so
 * auto takes the CPU there and says why in one line. The rule is pure data in, decision out,
 * so the app's worker and the CLI decide the same way.
 */

/** What a GPUAdapter tells about itself (GPUAdapterInfo, plus the fallback flag). */
export interface AdapterFacts {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** The browser's own "this is a fallback (software) adapter" flag, where it gives one. */
  readonly isFallbackAdapter: boolean;
}

export interface AdapterClass {
  readonly software: boolean;
  /** A short name for messages: "SwiftShader", "llvmpipe", or the adapter's description. */
  readonly name: string;
}

/** Software rasterisers, by a word that appears in their vendor, architecture, device or description. */
const SOFTWARE_RENDERERS: readonly { readonly match: RegExp; readonly name: string }[] = [
  { match: /swiftshader/i, name: 'SwiftShader' },
  { match: /llvmpipe/i, name: 'llvmpipe' },
  { match: /lavapipe/i, name: 'lavapipe' },
  { match: /softpipe/i, name: 'softpipe' },
  { match: /basic render driver|\bwarp\b/i, name: 'WARP' },
];

export function classifyAdapter(facts: AdapterFacts): AdapterClass {
  const text = [facts.vendor, facts.architecture, facts.device, facts.description].join(' ');
  const known = SOFTWARE_RENDERERS.find((r) => r.match.test(text));
  if (known) return { software: true, name: known.name };
  const name = facts.description || facts.device || [facts.vendor, facts.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  return { software: facts.isFallbackAdapter, name };
}

/**
 * Reads the facts off a real adapter. `isFallbackAdapter` moved from the adapter to its info in
 * the spec; either place is read.
 */
export function adapterFacts(adapter: GPUAdapter): AdapterFacts {
  const info = adapter.info as Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean };
  const legacy = (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: info.isFallbackAdapter === true || legacy === true,
  };
}

export type BackendChoice = { readonly use: 'webgpu'; readonly reason: null } | { readonly use: 'cpu'; readonly reason: string };

/**
 * Auto's choice: WebGPU on a hardware adapter; the CPU when there is no adapter (`whyNone`
 * says why) or the adapter is a software renderer.
 */
export function autoBackendChoice(adapter: AdapterClass | null, whyNone = 'no WebGPU adapter'): BackendChoice {
  if (adapter === null) return { use: 'cpu', reason: `Auto chose the CPU: ${whyNone}` };
  if (adapter.software) {
    return { use: 'cpu', reason: `Auto chose the CPU: the only WebGPU adapter is ${adapter.name}, a software renderer, slower than the CPU backend` };
  }
  return { use: 'webgpu', reason: null };
}

export type AdapterProbe = { readonly ok: true; readonly adapter: GPUAdapter; readonly class: AdapterClass } | { readonly ok: false; readonly reason: string };

/** Asks `gpu` for the adapter the WebGPU backend would use, and classifies it. */
export async function probeAdapter(gpu: GPU | undefined): Promise<AdapterProbe> {
  if (!gpu) return { ok: false, reason: 'this environment exposes no WebGPU (navigator.gpu is missing)' };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { ok: false, reason: 'no WebGPU adapter (no WebGPU-capable GPU or driver, or WebGPU is disabled)' };
    return { ok: true, adapter, class: classifyAdapter(adapterFacts(adapter)) };
  } catch (e) {
    return { ok: false, reason: `requesting a WebGPU adapter failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}
