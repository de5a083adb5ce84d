/**
 * The open model's content identity for notebook cache keys: its content hash when it has one
 * (storage/model-hash.ts: the built-in model), so results are reused across sessions and
 * machines; otherwise its name with this page session's nonce, so a folder that was only named
 * never reuses results of another folder of the same name.
 */
import type { ModelReference } from '../storage/records.ts';

export function modelIdentity(label: string | null, reference: ModelReference | null, sessionNonce: string): string | null {
  if (label === null || reference === null) return null;
  const { hash } = reference;
  if (hash) return `${hash.scheme}:${hash.config}:${hash.weights}:${hash.weightBytes}`;
  return `unhashed:${label}:${sessionNonce}`;
}

/** Random per page load. */
export const SESSION_NONCE = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');
