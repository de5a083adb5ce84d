/**
 * The Backend interface on WebGPU: validation and storage policy here, one launcher per kernel
 * under kernels/. Work is encoded into one command encoder and submitted lazily (on read/sync,
 * or when a batch reaches its dispatch budget), so a forward pass is about one submission.
 */
import {
  numel,
  shapeString,
  type AttentionMask,
  type Backend,
  type BackendInfo,
  type HostWeight,
  type LinearFusion,
  type RopeFrequencies,
  type Tensor,
  type UnaryKind,
} from '../backend.ts';
import { bf16ToFloat32, f16ToFloat32 } from '../dtype.ts';
import type { Engine, StageTime, WebGpuStats } from './engine.ts';
import { attentionMix, attentionScores, fusedAttention, headResult } from './kernels/attention.ts';
import { binary } from './kernels/binary.ts';
import { decode } from './kernels/convert.ts';
import { concat, expand, permute, slice } from './kernels/copy.ts';
import { fill } from './kernels/fill.ts';
import { gather } from './kernels/gather.ts';
import { linear, linearTransposed } from './kernels/linear.ts';
import type { MatmulTile } from './kernels/matmul.ts';
import { matmul } from './kernels/matmul.ts';
import { normScale } from './kernels/norm_scale.ts';
import { normalize } from './kernels/normalize.ts';
import { reduce } from './kernels/reduce.ts';
import { rope } from './kernels/rope.ts';
import { scoreWindow } from './kernels/score_window.ts';
import { select } from './kernels/select.ts';
import { softmax } from './kernels/softmax.ts';
import { keepTopK } from './kernels/topk.ts';
import { unary } from './kernels/unary.ts';
import { BLOCK_KINDS, isBlockKind, type StorageKind } from './kernel.ts';
import { Context, GpuTensor, storageBytes } from './tensor.ts';

export interface WebGpuBackend extends Backend {
  readonly device: GPUDevice;
  /** Submissions, readbacks and bytes read so far (and dispatch/pipeline/pool counts). */
  stats(): WebGpuStats;
  /** Frees every buffer and the device; pending reads reject. */
  destroy(): void;
  /**
   * Times every stage (`stage(label)`, one per transformer block) on the GPU from now on with
   * timestamp queries; false when the adapter has no `timestamp-query` (stages then still
   * report their dispatch counts).
   */
  enableTiming(): boolean;
  /** Stages since the last call: label, dispatches and GPU milliseconds (null without timing). */
  stageTimes(): Promise<StageTime[]>;
  /** Ends a stage (see Backend.stage): submits the queued work and records it under `label`. */
  stage(label: string): void;
  // The optional fused ops of Backend, always present here.
  linearFused(x: Tensor, w: Tensor, fusion: LinearFusion): Tensor;
  attention(q: Tensor, k: Tensor, v: Tensor, scale: number, mask: AttentionMask, softcap?: number): Tensor;
}

const WEIGHT_KIND: Readonly<Record<HostWeight['dtype'], StorageKind>> = {
  F32: 'f32', F16: 'f16', BF16: 'bf16', Q8_0: 'q8_0', Q4_0: 'q4_0',
};

/** Ops whose kernels read block-quantised weights in place (blocks.wgsl), and reading them back. */
const BLOCK_WEIGHT_OPS: ReadonlySet<string> = new Set(['gather', 'linear', 'linearTransposed', 'headResult', 'linearFused', 'read', 'dispose']);

/** Bytes of a [rows, cols] block-quantised matrix (cols a whole number of blocks). */
function storedBlockBytes(kind: StorageKind, shape: readonly number[]): number {
  const block = BLOCK_KINDS.get(kind);
  if (block === undefined || shape.length !== 2 || shape[1] % block.values !== 0) return NaN;
  return shape[0] * (shape[1] / block.values) * block.bytes;
}

export class WebGpuBackendImpl implements WebGpuBackend {
  private readonly ctx: Context;

  constructor(
    private readonly engine: Engine,
    readonly info: BackendInfo,
    matmulTile?: MatmulTile,
  ) {
    this.ctx = new Context(engine, this, matmulTile);
  }

  get device(): GPUDevice {
    return this.engine.device;
  }

  stats(): WebGpuStats {
    return this.engine.stats();
  }

  destroy(): void {
    this.engine.destroy();
  }

  enableTiming(): boolean {
    return this.engine.enableTiming();
  }

  stageTimes(): Promise<StageTime[]> {
    return this.engine.stageTimes();
  }

  private t(x: Tensor, op: string): GpuTensor {
    this.engine.assertAlive();
    const t = this.ctx.tensor(x, op);
    if (isBlockKind(t.storage.kind) && !BLOCK_WEIGHT_OPS.has(op)) {
      throw new Error(`WebGPU ${op}: a ${t.storage.kind.toUpperCase()} weight is read only by ${[...BLOCK_WEIGHT_OPS].join(', ')}`);
    }
    return t;
  }

  // --- data movement -------------------------------------------------------------------

  upload(data: Float32Array, shape: readonly number[]): Tensor {
    checkShape('upload', shape, data.length);
    return this.ctx.upload(data, 'f32', shape, 'upload');
  }

  /** Matrices keep F16/BF16 storage (decoded in the kernels that read them); vectors become f32. */
  uploadWeight(weight: HostWeight): Tensor {
    const { name, dtype, shape, data } = weight;
    const kind = WEIGHT_KIND[dtype];
    if (isBlockKind(kind)) {
      // ggml blocks stay as they are; the matrix kernels decode them in place (kernels/blocks.wgsl).
      if (shape.length !== 2 || !(data instanceof Uint8Array) || data.length !== storedBlockBytes(kind, shape)) {
        throw new Error(`uploadWeight ${name}: ${dtype} needs a matrix of raw blocks (Uint8Array of ${storedBlockBytes(kind, shape)} bytes)`);
      }
      return this.ctx.upload(data, kind, shape, `weight ${name}`);
    }
    checkShape(`uploadWeight ${name}`, shape, data.length);
    if ((kind === 'f32') !== data instanceof Float32Array) {
      throw new Error(`uploadWeight ${name}: ${dtype} data must be a ${kind === 'f32' ? 'Float32Array' : 'Uint16Array'}`);
    }
    const stored = this.ctx.upload(data, kind, shape, `weight ${name}`);
    if (kind === 'f32' || shape.length >= 2) return stored;
    const f32 = decode(this.ctx, stored, `uploadWeight ${name}`);
    this.ctx.dispose(stored);
    return f32;
  }

  async read(tensors: readonly Tensor[]): Promise<Float32Array[]> {
    const decoded = tensors.map((x) => this.ctx.decodedBlocks(this.t(x, 'read'), 'read'));
    try {
      return await this.readStored(decoded.map((d) => d.tensor));
    } finally {
      for (const d of decoded) d.done();
    }
  }

  private async readStored(list: readonly GpuTensor[]): Promise<Float32Array[]> {
    const regions = list.flatMap((x) =>
      x.storage.chunks.map((chunk) => ({ buffer: chunk.buffer, bytes: storageBytes(x.storage.kind, chunk.count) })),
    );
    return this.engine.read(regions, (data, offsets) => {
      let region = 0;
      return list.map((x) => {
        const out = new Float32Array(numel(x.shape));
        for (const chunk of x.storage.chunks) {
          const at = offsets[region++];
          const kind = x.storage.kind;
          if (kind === 'f32') out.set(new Float32Array(data, at, chunk.count), chunk.start);
          else {
            const bits = new Uint16Array(data, at, chunk.count);
            out.set(kind === 'f16' ? f16ToFloat32(bits) : bf16ToFloat32(bits), chunk.start);
          }
        }
        return out;
      });
    });
  }

  dispose(tensor: Tensor): void {
    if (tensor instanceof GpuTensor && tensor.owner === this && tensor.disposed) return;
    this.ctx.dispose(this.ctx.tensor(tensor, 'dispose'));
  }

  sync(): Promise<void> {
    return this.engine.sync();
  }

  // --- shape ---------------------------------------------------------------------------

  reshape(x: Tensor, shape: readonly number[]): Tensor {
    const t = this.t(x, 'reshape');
    checkShape('reshape', shape, numel(t.shape));
    t.storage.retain();
    return new GpuTensor([...shape], this, t.storage);
  }

  slice(x: Tensor, axis: number, start: number, end: number): Tensor {
    return slice(this.ctx, this.t(x, 'slice'), axis, start, end);
  }

  concat(tensors: readonly Tensor[], axis: number): Tensor {
    return concat(
      this.ctx,
      tensors.map((x) => this.t(x, 'concat')),
      axis,
    );
  }

  expand(x: Tensor, shape: readonly number[]): Tensor {
    return expand(this.ctx, this.t(x, 'expand'), shape);
  }

  permute(x: Tensor, perm: readonly number[]): Tensor {
    return permute(this.ctx, this.t(x, 'permute'), perm);
  }

  // --- elementwise ---------------------------------------------------------------------

  add(a: Tensor, b: Tensor): Tensor {
    return binary(this.ctx, 'add', this.t(a, 'add'), this.t(b, 'add'));
  }

  sub(a: Tensor, b: Tensor): Tensor {
    return binary(this.ctx, 'sub', this.t(a, 'sub'), this.t(b, 'sub'));
  }

  mul(a: Tensor, b: Tensor): Tensor {
    return binary(this.ctx, 'mul', this.t(a, 'mul'), this.t(b, 'mul'));
  }

  div(a: Tensor, b: Tensor): Tensor {
    return binary(this.ctx, 'div', this.t(a, 'div'), this.t(b, 'div'));
  }

  scale(x: Tensor, factor: number): Tensor {
    return unary(this.ctx, this.t(x, 'scale'), 'scale', { factor });
  }

  unary(x: Tensor, kind: UnaryKind): Tensor {
    return unary(this.ctx, this.t(x, kind), kind);
  }

  unaryGrad(x: Tensor, kind: UnaryKind): Tensor {
    return unary(this.ctx, this.t(x, `${kind}'`), kind, { grad: true });
  }

  select(mask: Tensor, a: Tensor, b: Tensor): Tensor {
    return select(this.ctx, this.t(mask, 'select'), this.t(a, 'select'), this.t(b, 'select'));
  }

  fill(shape: readonly number[], value: number): Tensor {
    this.engine.assertAlive();
    checkShape('fill', shape, numel(shape));
    return fill(this.ctx, shape, value);
  }

  // --- reductions ----------------------------------------------------------------------

  mean(x: Tensor, axis: number): Tensor {
    return reduce(this.ctx, this.t(x, 'mean'), axis, true);
  }

  sum(x: Tensor, axis: number): Tensor {
    return reduce(this.ctx, this.t(x, 'sum'), axis, false);
  }

  keepTopK(x: Tensor, k: number): Tensor {
    return keepTopK(this.ctx, this.t(x, 'keepTopK'), k);
  }

  // --- model ops -----------------------------------------------------------------------

  gather(table: Tensor, ids: Int32Array): Tensor {
    return gather(this.ctx, this.t(table, 'gather'), ids);
  }

  linear(x: Tensor, w: Tensor, bias?: Tensor): Tensor {
    return linear(this.ctx, this.t(x, 'linear'), this.t(w, 'linear'), { bias: bias && this.t(bias, 'linear') });
  }

  linearTransposed(x: Tensor, w: Tensor): Tensor {
    return linearTransposed(this.ctx, this.t(x, 'linearTransposed'), this.t(w, 'linearTransposed'));
  }

  matmul(x: Tensor, y: Tensor): Tensor {
    return matmul(this.ctx, this.t(x, 'matmul'), this.t(y, 'matmul'));
  }

  normScale(x: Tensor, center: boolean, eps: number): Tensor {
    return normScale(this.ctx, this.t(x, 'normScale'), center, eps);
  }

  normalize(x: Tensor, scale: Tensor, center: boolean): Tensor {
    return normalize(this.ctx, this.t(x, 'normalize'), this.t(scale, 'normalize'), center);
  }

  rope(x: Tensor, positions: Int32Array, rotaryDims: number, theta: number, freqs?: RopeFrequencies): Tensor {
    return rope(this.ctx, this.t(x, 'rope'), positions, rotaryDims, theta, freqs);
  }

  attentionScores(q: Tensor, k: Tensor, scale: number, mask: AttentionMask, softcap?: number): Tensor {
    const scores = attentionScores(this.ctx, this.t(q, 'attentionScores'), this.t(k, 'attentionScores'), scale, mask);
    if (mask.window === undefined && softcap === undefined) return scores;
    const out = scoreWindow(this.ctx, scores, mask.queryOffset, mask.window, softcap);
    this.ctx.dispose(scores);
    return out;
  }

  softmax(x: Tensor): Tensor {
    return softmax(this.ctx, this.t(x, 'softmax'));
  }

  attentionMix(pattern: Tensor, v: Tensor): Tensor {
    return attentionMix(this.ctx, this.t(pattern, 'attentionMix'), this.t(v, 'attentionMix'));
  }

  headResult(z: Tensor, wO: Tensor): Tensor {
    return headResult(this.ctx, this.t(z, 'headResult'), this.t(wO, 'headResult'));
  }

  // --- fused ops -------------------------------------------------------------------------

  linearFused(x: Tensor, w: Tensor, fusion: LinearFusion): Tensor {
    const t = (v: Tensor | undefined) => v && this.t(v, 'linearFused');
    const { norm } = fusion;
    return linear(this.ctx, this.t(x, 'linearFused'), this.t(w, 'linearFused'), {
      bias: t(fusion.bias),
      norm: norm && { center: norm.center, eps: norm.eps, weight: this.t(norm.weight, 'linearFused'), bias: t(norm.bias) },
      activation: fusion.activation,
      multiply: t(fusion.multiply),
      residual: t(fusion.residual),
    });
  }

  attention(q: Tensor, k: Tensor, v: Tensor, scale: number, mask: AttentionMask, softcap?: number): Tensor {
    const [gq, gk, gv] = [q, k, v].map((x) => this.t(x, 'attention'));
    const fused = fusedAttention(this.ctx, gq, gk, gv, scale, mask, { softcap, window: mask.window });
    if (fused) return fused;
    // Heads too large for the fused kernel's registers: the three ops it stands for.
    const scores = this.attentionScores(gq, gk, scale, mask, softcap) as GpuTensor;
    const pattern = softmax(this.ctx, scores);
    this.ctx.dispose(scores);
    const z = attentionMix(this.ctx, pattern, gv);
    this.ctx.dispose(pattern);
    return z;
  }

  stage(label: string): void {
    this.engine.stage(label);
  }
}

function checkShape(op: string, shape: readonly number[], count: number): void {
  if (!shape.every((s) => Number.isInteger(s) && s >= 0) || numel(shape) !== count) {
    throw new Error(`${op}: shape ${shapeString(shape)} does not hold ${count} elements`);
  }
}
