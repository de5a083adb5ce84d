/**
 * Content checks for downloaded files, in the Hub's terms: LFS files (weights) by SHA-256,
 * regular git files (configs, tokenizers) by their git blob id, SHA-1 of "blob <size>\0" and the
 * content. Both are computed incrementally while the bytes stream to disk.
 */
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { HubFile } from './repo-info.ts';
import { HubError } from './repo.ts';

export interface ExpectedHash {
  readonly kind: 'sha256' | 'git-blob-sha1';
  readonly hex: string;
}

/**
 * What a file must hash to: the API's LFS sha256 or git blob id, else the resolve response's
 * `X-Linked-Etag` (LFS sha256) or `ETag` (git blob id).
 */
export function expectedHash(file: HubFile, headers?: Headers): ExpectedHash {
  if (file.sha256) return { kind: 'sha256', hex: file.sha256 };
  if (file.gitBlobId) return { kind: 'git-blob-sha1', hex: file.gitBlobId };
  const etag = (name: string) => headers?.get(name)?.replace(/^W\//, '').replace(/"/g, '').toLowerCase() ?? '';
  const linked = etag('x-linked-etag');
  if (/^[0-9a-f]{64}$/.test(linked)) return { kind: 'sha256', hex: linked };
  const plain = etag('etag');
  if (/^[0-9a-f]{64}$/.test(plain)) return { kind: 'sha256', hex: plain };
  if (/^[0-9a-f]{40}$/.test(plain)) return { kind: 'git-blob-sha1', hex: plain };
  throw new HubError(`${file.name}: the Hub published no checksum for it (no lfs.sha256, blobId or ETag); refusing an unverifiable download`);
}

/** An incremental hasher for `expected`; `size` is needed up front for the git blob header. */
export function createHasher(expected: ExpectedHash, size: number): Hash {
  if (expected.kind === 'sha256') return createHash('sha256');
  return createHash('sha1').update(`blob ${size}\0`);
}
