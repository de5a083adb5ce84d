/**
 * Device-level mechanics shared by every op: pipelines cached by kernel + overrides, a buffer
 * pool, one command encoder that collects dispatches until a read (or the uniform arena fills),
 * reads through one staging buffer, and errors turned into clear, deferred exceptions.
 *
 * Uniforms: every dispatch gets a slice of one host-side arena; the arena is written to its GPU
 * buffer with a single writeBuffer right before the batch is submitted (queue order makes the
 * next batch's write land after this batch's commands).
 */
import type { Kernel, OverrideValues } from './kernel.ts';
import { BufferPool, sizeClass } from './pool.ts';
import { alignUp, type UniformFields, type UniformValues } from './uniforms.ts';

export interface EngineLimits {
  /** Largest storage binding we create (maxStorageBufferBindingSize, or the caller's smaller cap). */
  readonly maxBindingBytes: number;
  readonly maxBufferSize: number;
  readonly maxWorkgroupsPerDimension: number;
  readonly maxWorkgroupStorageBytes: number;
  readonly maxInvocationsPerWorkgroup: number;
  readonly uniformAlignment: number;
}

export interface WebGpuStats {
  /** queue.submit calls. */
  readonly submissions: number;
  /** Staging buffers mapped (one per `read`). */
  readonly readbacks: number;
  readonly bytesRead: number;
  readonly dispatches: number;
  /** Distinct pipelines compiled (kernel + override values). */
  readonly pipelines: number;
  /** Storage buffers created (pool misses). */
  readonly buffersCreated: number;
  /** Bind groups created (cache misses). */
  readonly bindGroupsCreated: number;
  /** Bytes held by the buffer pool for reuse. */
  readonly pooledBytes: number;
}

/** Dispatches per submission at most; also sizes the uniform arena. */
const ARENA_SLOTS = 2048;
/** Bind groups kept at most (see Engine.bindGroup). */
const BIND_GROUP_CACHE = 4096;
/** Timestamps (two per compute pass) recorded between two reads of the stage times. */
const TIMESTAMP_CAPACITY = 4096;
/** Freed buffers kept for reuse at most. */
const POOL_CAPACITY = 512 * 2 ** 20;

/** Usage of every tensor buffer. A function: the GPU* enums are globals Node installs late. */
function storageUsage(): number {
  return GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
}

/** GPU time of one stage (the work queued between two `stage` calls), from timestamp queries. */
export interface StageTime {
  readonly label: string;
  readonly dispatches: number;
  /** Milliseconds from the start of its first compute pass to the end of its last; null without timestamp-query. */
  readonly ms: number | null;
}

interface StageTiming {
  readonly querySet: GPUQuerySet;
  readonly resolve: GPUBuffer;
  /** Timestamps written so far. */
  used: number;
}

interface OpenStage {
  firstQuery: number;
  dispatches: number;
}

interface Layout {
  readonly group: GPUBindGroupLayout;
  readonly pipeline: GPUPipelineLayout;
}

export interface Dispatch<F extends UniformFields> {
  readonly overrides?: OverrideValues;
  readonly params: UniformValues<F>;
  /** One buffer per storage binding, bound whole. */
  readonly buffers: readonly GPUBuffer[];
  readonly workgroups: readonly [number, number?, number?];
}

export class Engine {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private readonly arenaHost: ArrayBuffer;
  private readonly arenaView: DataView;
  private readonly arenaGpu: GPUBuffer;
  private arenaUsed = 0;
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly layouts = new Map<string, Layout>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  /** Bind groups by kernel + buffers (the uniform slice is a dynamic offset, so they repeat). */
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly bufferIds = new WeakMap<GPUBuffer, number>();
  private nextBufferId = 0;
  private timing: StageTiming | null = null;
  private openStage: OpenStage = { firstQuery: 0, dispatches: 0 };
  private stages: { label: string; dispatches: number; queries: [number, number] | null }[] = [];
  private readonly pool = new BufferPool(POOL_CAPACITY);
  private readonly staging = new Map<number, GPUBuffer[]>();
  private readonly invalid = new WeakSet<GPUBuffer>();
  private readonly checks = new Set<Promise<void>>();
  private failure: Error | null = null;
  private lost: Error | null = null;
  private readonly lostSignal: Promise<never>;
  private readonly counters = { submissions: 0, readbacks: 0, bytesRead: 0, dispatches: 0, buffersCreated: 0, bindGroupsCreated: 0 };
  /** A 16-byte buffer for storage bindings a specialisation does not use. */
  readonly dummy: GPUBuffer;

  constructor(
    readonly device: GPUDevice,
    readonly limits: EngineLimits,
  ) {
    this.arenaHost = new ArrayBuffer(ARENA_SLOTS * limits.uniformAlignment);
    this.arenaView = new DataView(this.arenaHost);
    this.arenaGpu = device.createBuffer({
      label: 'uniform arena',
      size: this.arenaHost.byteLength,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.dummy = device.createBuffer({ label: 'unused binding', size: 16, usage: storageUsage() });
    this.lostSignal = device.lost.then((info) => {
      this.lost = new Error(
        `WebGPU device lost (${info.reason}): ${info.message || 'no details'}. Create a new backend.`,
      );
      throw this.lost;
    });
    this.lostSignal.catch(() => undefined);
    device.addEventListener('uncapturederror', (event) => {
      this.failure ??= new Error(`WebGPU: ${(event as GPUUncapturedErrorEvent).error.message}`);
    });
  }

  stats(): WebGpuStats {
    return { ...this.counters, pipelines: this.pipelines.size, pooledBytes: this.pool.pooledBytes };
  }

  assertAlive(): void {
    if (this.lost) throw this.lost;
  }

  // --- buffers -------------------------------------------------------------------------

  /**
   * A storage buffer of at least `bytes` (≤ maxBindingBytes), bound whole by kernels.
   * `forUpload`: it will be written with queue.writeBuffer (see BufferPool).
   */
  allocate(bytes: number, what: string, forUpload: boolean): GPUBuffer {
    this.assertAlive();
    const limit = this.limits.maxBindingBytes;
    if (bytes > limit) {
      throw new Error(
        `WebGPU: ${what} needs ${bytes} bytes, over the storage binding limit of ${limit} bytes ` +
          `(maxStorageBufferBindingSize); only gather tables and linear weights are split across bindings`,
      );
    }
    const size = Math.min(sizeClass(bytes), limit);
    return this.pool.take(size, forUpload) ?? this.create(size, what);
  }

  release(buffer: GPUBuffer): void {
    if (this.invalid.has(buffer) || this.lost) buffer.destroy();
    else this.pool.give(buffer, this.encoder !== null);
  }

  /** Writes host data at the start of `buffer` (byteLength a multiple of 4). */
  write(buffer: GPUBuffer, data: Float32Array | Uint32Array | Uint16Array): void {
    this.assertAlive();
    this.device.queue.writeBuffer(buffer, 0, data);
  }

  private create(size: number, what: string): GPUBuffer {
    const { device } = this;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const buffer = device.createBuffer({ label: what, size, usage: storageUsage() });
    this.counters.buffersCreated++;
    const validation = device.popErrorScope();
    const memory = device.popErrorScope();
    this.track(
      Promise.all([validation, memory]).then(([invalid, outOfMemory]) => {
        const error = outOfMemory ?? invalid;
        if (!error) return;
        this.invalid.add(buffer);
        const cause = outOfMemory ? 'out of GPU memory' : 'rejected by the device';
        throw new Error(`WebGPU: could not allocate ${what} (${size} bytes, ${cause}): ${error.message}`);
      }),
    );
    return buffer;
  }

  // --- encoding ------------------------------------------------------------------------

  dispatch<F extends UniformFields>(kernel: Kernel<F>, call: Dispatch<F>): void {
    this.assertAlive();
    const [x, y = 1, z = 1] = call.workgroups;
    if (call.buffers.length !== kernel.bindings.length) {
      throw new Error(`${kernel.name}: ${kernel.bindings.length} buffers expected, got ${call.buffers.length}`);
    }
    if (x * y * z === 0) return;
    const max = this.limits.maxWorkgroupsPerDimension;
    if (x > max || y > max || z > max) {
      throw new Error(`${kernel.name}: grid ${x}×${y}×${z} exceeds ${max} workgroups per dimension`);
    }
    const size = kernel.params.byteSize;
    if (this.arenaUsed + size > this.arenaHost.byteLength) this.flush();
    const offset = this.arenaUsed;
    kernel.params.write(this.arenaView, offset, call.params);
    this.arenaUsed = alignUp(offset + size, this.limits.uniformAlignment);

    const pipeline = this.pipeline(kernel, call.overrides ?? {});
    const bindGroup = this.bindGroup(kernel, call.buffers);
    const pass = this.computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup, [offset]);
    pass.dispatchWorkgroups(x, y, z);
    this.counters.dispatches++;
    this.openStage.dispatches++;
  }

  private bindGroup<F extends UniformFields>(kernel: Kernel<F>, buffers: readonly GPUBuffer[]): GPUBindGroup {
    const key = `${kernel.name}:${buffers.map((buffer) => this.bufferId(buffer)).join(',')}`;
    let group = this.bindGroups.get(key);
    if (group) return group;
    // Pooled buffers are reused forward after forward, so the same groups come back; a bounded
    // cache (cleared when full) keeps groups of long-gone buffers from piling up.
    if (this.bindGroups.size >= BIND_GROUP_CACHE) this.bindGroups.clear();
    group = this.device.createBindGroup({
      layout: this.layout(kernel).group,
      entries: [
        { binding: 0, resource: { buffer: this.arenaGpu, offset: 0, size: kernel.params.byteSize } },
        ...buffers.map((buffer, i) => ({ binding: i + 1, resource: { buffer } })),
      ],
    });
    this.bindGroups.set(key, group);
    this.counters.bindGroupsCreated++;
    return group;
  }

  private bufferId(buffer: GPUBuffer): number {
    let id = this.bufferIds.get(buffer);
    if (id === undefined) {
      id = this.nextBufferId++;
      this.bufferIds.set(buffer, id);
    }
    return id;
  }

  /** Spreads `count` workgroups over x and y (kernels rebuild the linear id, skipping overshoot). */
  grid(count: number): [number, number] {
    const x = Math.min(count, this.limits.maxWorkgroupsPerDimension);
    return [x, x === 0 ? 0 : Math.ceil(count / x)];
  }

  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.assertAlive();
    if (bytes === 0) return;
    this.endPass();
    this.commandEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** Submits the open batch, if any. */
  flush(): void {
    if (!this.encoder) return;
    this.endPass();
    const { device } = this;
    if (this.arenaUsed > 0) device.queue.writeBuffer(this.arenaGpu, 0, this.arenaHost, 0, this.arenaUsed);
    device.pushErrorScope('validation');
    device.queue.submit([this.encoder.finish()]);
    this.track(
      device.popErrorScope().then((error) => {
        if (error) throw new Error(`WebGPU: a submitted batch was rejected: ${error.message}`);
      }),
    );
    this.encoder = null;
    this.arenaUsed = 0;
    this.counters.submissions++;
    this.pool.settle();
  }

  private commandEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder({ label: 'probescope batch' });
    return this.encoder;
  }

  private computePass(): GPUComputePassEncoder {
    if (this.pass) return this.pass;
    const timing = this.timing;
    if (timing && timing.used + 2 <= TIMESTAMP_CAPACITY) {
      const at = timing.used;
      timing.used += 2;
      this.pass = this.commandEncoder().beginComputePass({
        timestampWrites: { querySet: timing.querySet, beginningOfPassWriteIndex: at, endOfPassWriteIndex: at + 1 },
      });
    } else {
      this.pass = this.commandEncoder().beginComputePass();
    }
    return this.pass;
  }

  // --- stages and their timing -----------------------------------------------------------

  /**
   * Times every compute pass from now on with timestamp queries (when the device has
   * `timestamp-query`; else stages still count dispatches, with null times). Returns whether
   * GPU times will be available.
   */
  enableTiming(): boolean {
    if (this.timing || !this.device.features.has('timestamp-query')) return this.timing !== null;
    const querySet = this.device.createQuerySet({ label: 'stage timestamps', type: 'timestamp', count: TIMESTAMP_CAPACITY });
    const resolve = this.device.createBuffer({
      label: 'timestamp resolve',
      size: 8 * TIMESTAMP_CAPACITY,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    this.timing = { querySet, resolve, used: 0 };
    this.openStage = { firstQuery: 0, dispatches: 0 };
    return true;
  }

  /** Ends a stage: submits what is queued (the GPU starts on it) and records its dispatches. */
  stage(label: string): void {
    this.assertAlive();
    this.flush();
    const used = this.timing?.used ?? 0;
    const { firstQuery, dispatches } = this.openStage;
    this.stages.push({ label, dispatches, queries: this.timing && used > firstQuery ? [firstQuery, used - 1] : null });
    if (this.stages.length > TIMESTAMP_CAPACITY) this.stages.shift();
    this.openStage = { firstQuery: used, dispatches: 0 };
  }

  /** The stages recorded since the last call, with GPU times where timing is on; then forgets them. */
  async stageTimes(): Promise<StageTime[]> {
    const stages = this.stages;
    this.stages = [];
    const timing = this.timing;
    let times: BigUint64Array | null = null;
    if (timing && timing.used > 0) {
      this.endPass();
      this.commandEncoder().resolveQuerySet(timing.querySet, 0, timing.used, timing.resolve, 0);
      times = await this.read([{ buffer: timing.resolve, bytes: 8 * timing.used }], (data) => new BigUint64Array(data.slice(0)));
      timing.used = 0;
    }
    this.openStage = { firstQuery: 0, dispatches: this.openStage.dispatches };
    return stages.map(({ label, dispatches, queries }) => ({
      label,
      dispatches,
      ms: times && queries ? Number(times[queries[1]] - times[queries[0]]) / 1e6 : null,
    }));
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  // --- pipelines -----------------------------------------------------------------------

  private pipeline<F extends UniformFields>(kernel: Kernel<F>, overrides: OverrideValues): GPUComputePipeline {
    const constants: Record<string, number> = {};
    for (const name of Object.keys(overrides).sort()) {
      const value = overrides[name];
      constants[name] = typeof value === 'boolean' ? Number(value) : value;
    }
    const key = `${kernel.name}${JSON.stringify(constants)}`;
    let pipeline = this.pipelines.get(key);
    if (pipeline) return pipeline;
    let module = this.modules.get(kernel.name);
    if (!module) {
      module = this.device.createShaderModule({ label: kernel.name, code: kernel.source });
      this.modules.set(kernel.name, module);
    }
    this.device.pushErrorScope('validation');
    pipeline = this.device.createComputePipeline({
      label: key,
      layout: this.layout(kernel).pipeline,
      compute: { module, entryPoint: 'main', constants },
    });
    this.track(
      this.device.popErrorScope().then((error) => {
        if (error) throw new Error(`WebGPU: pipeline ${key} failed: ${error.message}`);
      }),
    );
    this.pipelines.set(key, pipeline);
    return pipeline;
  }

  private layout<F extends UniformFields>(kernel: Kernel<F>): Layout {
    let layout = this.layouts.get(kernel.name);
    if (layout) return layout;
    const visibility = GPUShaderStage.COMPUTE;
    const group = this.device.createBindGroupLayout({
      label: kernel.name,
      entries: [
        { binding: 0, visibility, buffer: { type: 'uniform', hasDynamicOffset: true } },
        ...kernel.bindings.map((access, i) => ({
          binding: i + 1,
          visibility,
          buffer: { type: access === 'read' ? ('read-only-storage' as const) : ('storage' as const) },
        })),
      ],
    });
    layout = { group, pipeline: this.device.createPipelineLayout({ bindGroupLayouts: [group] }) };
    this.layouts.set(kernel.name, layout);
    return layout;
  }

  // --- reads and errors ----------------------------------------------------------------

  /**
   * Copies every region into one staging buffer, submits the batch, maps once and hands the
   * mapped bytes (with each region's offset in them) to `decode` before unmapping.
   */
  async read<T>(
    regions: readonly { buffer: GPUBuffer; bytes: number }[],
    decode: (data: ArrayBuffer, offsets: readonly number[]) => T,
  ): Promise<T> {
    this.assertAlive();
    const offsets: number[] = [];
    let total = 0;
    for (const region of regions) {
      offsets.push(total);
      total += alignUp(region.bytes, 4);
    }
    if (total === 0) return decode(new ArrayBuffer(0), offsets);
    if (total > this.limits.maxBufferSize) {
      throw new Error(
        `WebGPU: reading ${total} bytes at once exceeds maxBufferSize (${this.limits.maxBufferSize}); read fewer tensors per call`,
      );
    }
    const size = Math.min(sizeClass(total), this.limits.maxBufferSize);
    const staging =
      this.staging.get(size)?.pop() ??
      this.device.createBuffer({ label: 'staging', size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    regions.forEach((region, i) => this.copy(region.buffer, 0, staging, offsets[i], alignUp(region.bytes, 4)));
    this.flush();
    this.counters.readbacks++;
    this.counters.bytesRead += total;
    try {
      await Promise.race([staging.mapAsync(GPUMapMode.READ, 0, total), this.lostSignal]);
    } catch (error) {
      staging.destroy();
      throw this.lost ?? error;
    }
    const result = decode(staging.getMappedRange(0, total), offsets);
    staging.unmap();
    const list = this.staging.get(size);
    if (list) list.push(staging);
    else this.staging.set(size, [staging]);
    await this.settleChecks();
    return result;
  }

  /** Submits everything and waits for the GPU; throws the first deferred error. */
  async sync(): Promise<void> {
    this.assertAlive();
    this.flush();
    await Promise.race([this.device.queue.onSubmittedWorkDone(), this.lostSignal]);
    await this.settleChecks();
  }

  destroy(): void {
    this.pool.destroyAll();
    for (const list of this.staging.values()) for (const buffer of list) buffer.destroy();
    this.staging.clear();
    this.device.destroy();
  }

  private track(check: Promise<void>): void {
    const tracked: Promise<void> = check
      .catch((error: unknown) => {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
      })
      .finally(() => this.checks.delete(tracked));
    this.checks.add(tracked);
  }

  private async settleChecks(): Promise<void> {
    while (this.checks.size > 0) await Promise.all([...this.checks]);
    const failure = this.failure;
    this.failure = null;
    if (failure) throw failure;
  }
}
