/**
 * What every block of one forward call shares: the backend, the spec, the hook session and where
 * the new tokens sit (left padding, KV-cache offset). Built once per call by `forward.ts`.
 */
import type { Backend } from '../../gpu/backend.ts';
import type { HookSession } from '../hooks/session.ts';
import type { HookSite } from '../hooks/interventions.ts';
import type { ModelSpec } from './spec.ts';

export interface ForwardContext {
  readonly backend: Backend;
  readonly spec: ModelSpec;
  readonly hooks: HookSession;
  readonly batch: number;
  /** New tokens per row in this call. */
  readonly pos: number;
  /** Key positions per row including the KV cache. */
  readonly kvPos: number;
  /** Cached positions before this call's first token. */
  readonly posOffset: number;
  /** Position id of every new token, [batch·pos] (rotary and learned position embeddings). */
  readonly positions: Int32Array;
  /** [batch, kvPos]: 1 for real tokens, 0 for left padding. */
  readonly keyValid: Uint8Array;
  /** Hook-site info for non-attention hooks. */
  readonly site: Omit<HookSite, 'point'>;
  /** Hook-site info for attention scores and patterns (knows which keys each query sees). */
  readonly attnSite: Omit<HookSite, 'point'>;
}
