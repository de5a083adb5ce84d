/** A temporary folder for one test (or one file), removed when that test (or file) finishes. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

function make(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Call inside a test: removed when the test finishes. */
export function testTempDir(prefix: string): string {
  const { dir, remove } = make(prefix);
  onTestFinished(remove);
  return dir;
}

/** Call at the top of a file or describe block: removed after its tests. */
export function fileTempDir(prefix: string): string {
  const { dir, remove } = make(prefix);
  afterAll(remove);
  return dir;
}
