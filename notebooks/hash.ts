/**
 * Content hashes for the result cache: SHA-256 of canonical JSON, through WebCrypto so the same
 * code runs in Node, the browser, the worker and Electron.
 */
import type { Json } from '../analysis/json.ts';
import { canonicalJson } from '../analysis/json.ts';

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function contentHash(value: Json): Promise<string> {
  return sha256Hex(canonicalJson(value));
}
