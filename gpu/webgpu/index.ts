/**
 * WebGPU backend entry point (browser and Electron renderer: navigator.gpu; Node: see node.ts).
 */
import type { BackendInfo } from '../backend.ts';
import { Engine, type EngineLimits } from './engine.ts';
import { checkTile, type MatmulTile } from './kernels/matmul.ts';
import { WebGpuBackendImpl, type WebGpuBackend } from './webgpu-backend.ts';

export type { WebGpuBackend } from './webgpu-backend.ts';
export type { StageTime, WebGpuStats } from './engine.ts';
export type { MatmulTile } from './kernels/matmul.ts';

export interface WebGpuBackendOptions {
  /** The WebGPU entry point; default navigator.gpu. */
  readonly gpu?: GPU;
  /**
   * Caps storage bindings below the adapter's maxStorageBufferBindingSize (tests use it to force
   * the split paths of gather and linear).
   */
  readonly maxBindingBytes?: number;
  /** One GEMM tile shape for every matmul instead of the per-shape choice. */
  readonly matmulTile?: MatmulTile;
  /** An adapter already requested (e.g. by gpu/adapter-class.ts's probe); default: request one. */
  readonly adapter?: GPUAdapter;
}

/** Limits we raise from the WebGPU defaults to what the adapter really offers. */
const REQUESTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

export async function createWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  const gpu = options.gpu ?? (typeof navigator === 'undefined' ? undefined : navigator.gpu);
  if (!gpu) {
    throw new Error('WebGPU: not available here (no navigator.gpu); in Node create the backend with gpu/webgpu/node.ts');
  }
  const adapter = options.adapter ?? (await gpu.requestAdapter({ powerPreference: 'high-performance' }));
  if (!adapter) {
    throw new Error('WebGPU: no adapter found (no WebGPU-capable GPU or driver, or WebGPU is disabled); use the CPU backend');
  }
  if (options.matmulTile) {
    checkTile(options.matmulTile, {
      maxInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
      maxWorkgroupStorageBytes: adapter.limits.maxComputeWorkgroupStorageSize,
    });
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of REQUESTED_LIMITS) requiredLimits[name] = adapter.limits[name];
  let device: GPUDevice;
  try {
    const requiredFeatures = REQUESTED_FEATURES.filter((f) => adapter.features.has(f));
    device = await adapter.requestDevice({ label: 'probescope', requiredLimits, requiredFeatures });
  } catch (error) {
    throw new Error(`WebGPU: the adapter refused a device: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { limits } = device;
  const bindingCap = Math.min(limits.maxStorageBufferBindingSize, options.maxBindingBytes ?? Infinity);
  const engineLimits: EngineLimits = {
    maxBindingBytes: Math.floor(bindingCap / 16) * 16,
    maxBufferSize: limits.maxBufferSize,
    maxWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
    maxWorkgroupStorageBytes: limits.maxComputeWorkgroupStorageSize,
    maxInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    uniformAlignment: limits.minUniformBufferOffsetAlignment,
  };
  const features = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
  const info: BackendInfo = { name: 'webgpu', adapter: describeAdapter(adapter.info), features };
  return new WebGpuBackendImpl(new Engine(device, engineLimits), info, options.matmulTile);
}

/** Features the backend uses where the adapter has them: stage timing (WebGpuBackend.enableTiming). */
const REQUESTED_FEATURES = ['timestamp-query'] as const;

/** Capabilities worth knowing about; detected so the UI and CLI can show them (see BackendInfo). */
const OPTIONAL_FEATURES = ['shader-f16', 'subgroups', 'timestamp-query'] as const;

/** "description (vendor, architecture)", leaving out what the browser does not reveal. */
function describeAdapter(info: GPUAdapterInfo): string {
  const name = info.description || info.device || 'unknown adapter';
  const details = [info.vendor, info.architecture].filter((s) => s.length > 0);
  return details.length > 0 ? `${name} (${details.join(', ')})` : name;
}
