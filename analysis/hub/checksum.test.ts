import { describe, expect, it } from 'vitest';
import { createHasher, expectedHash } from './checksum.ts';
import { gitBlobId } from '../../test/fake-hub-server.ts';

const file = { name: 'model.safetensors', size: null, sha256: null, gitBlobId: null };
const SHA = 'ab'.repeat(32);

describe('expectedHash', () => {
  it('prefers the file list, then X-Linked-Etag, then a sha256 or git ETag', () => {
    expect(expectedHash({ ...file, sha256: SHA }, new Headers({ 'x-linked-etag': `"${'cd'.repeat(32)}"` }))).toEqual({ kind: 'sha256', hex: SHA });
    expect(expectedHash(file, new Headers({ 'x-linked-etag': `"${SHA}"`, etag: '"1234"' }))).toEqual({ kind: 'sha256', hex: SHA });
    expect(expectedHash(file, new Headers({ etag: `W/"${'12'.repeat(20)}"` }))).toEqual({ kind: 'git-blob-sha1', hex: '12'.repeat(20) });
  });

  it('refuses a file nothing vouches for', () => {
    expect(() => expectedHash(file, new Headers({ etag: '"not-a-hash"' }))).toThrow(/model.safetensors: the Hub published no checksum/);
    expect(() => expectedHash(file)).toThrow(/refusing an unverifiable download/);
  });
});

describe('createHasher', () => {
  it('computes git blob ids as git does', () => {
    // `printf 'hello\\n' | git hash-object --stdin`
    const bytes = new TextEncoder().encode('hello\n');
    const hasher = createHasher({ kind: 'git-blob-sha1', hex: '' }, bytes.length);
    expect(hasher.update(bytes).digest('hex')).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    expect(gitBlobId(bytes)).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });
});
