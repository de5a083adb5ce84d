import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseResult } from '../ipc/contract.ts';
import { displayName, openProjectFile, saveExport } from './files.ts';
import type { DialogLike } from './files.ts';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'probescope-dialogs-'));
});
afterEach(() => rm(tmp, { recursive: true, force: true }));

function dialogs(open: string[] | null, save: string | null): DialogLike & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    calls,
    showOpenDialog: vi.fn(async (o) => (calls.push(o), { canceled: open === null, filePaths: open ?? [] })),
    showSaveDialog: vi.fn(async (o) => (calls.push(o), { canceled: save === null, filePath: save ?? undefined })),
  };
}

describe('openProjectFile', () => {
  it('returns the picked file\'s base name and bytes, filtered to .probescope', async () => {
    const file = path.join(tmp, 'Induction.probescope');
    await writeFile(file, Buffer.from([80, 75, 5, 6]));
    const d = dialogs([file], null);
    const opened = await openProjectFile(d);
    expect(opened).toEqual({ name: 'Induction.probescope', bytes: new Uint8Array([80, 75, 5, 6]) });
    expect(parseResult('file:openProject', opened)).toEqual(opened);
    expect(d.calls[0]).toMatchObject({ filters: [{ extensions: ['probescope'] }], properties: ['openFile'] });
  });

  it('returns null when cancelled and refuses files over the limit before reading them', async () => {
    expect(await openProjectFile(dialogs(null, null))).toBeNull();
    const big = path.join(tmp, 'big.probescope');
    await writeFile(big, new Uint8Array(2048));
    await expect(openProjectFile(dialogs([big], null), 1024)).rejects.toThrow(/big.probescope is 2048 bytes, more than the 1024-byte limit/);
    await expect(openProjectFile(dialogs([tmp], null))).rejects.toThrow(/is not a file/);
  });
});

describe('saveExport', () => {
  const bytes = new TextEncoder().encode('<svg/>');

  it('writes the bytes where the user chose, adding a missing extension, and returns only the name', async () => {
    const chosen = path.join(tmp, 'figure');
    const d = dialogs(null, chosen);
    const saved = await saveExport(d, { suggestedName: 'Heads', kind: 'svg', bytes }, tmp);
    expect(saved).toEqual({ name: 'figure.svg' });
    expect(readFileSync(`${chosen}.svg`, 'utf8')).toBe('<svg/>');
    expect(d.calls[0]).toMatchObject({ defaultPath: path.join(tmp, 'Heads.svg'), filters: [{ name: 'SVG image', extensions: ['svg'] }] });
    expect(parseResult('file:saveExport', saved)).toEqual(saved);
  });

  it('does nothing when cancelled', async () => {
    expect(await saveExport(dialogs(null, null), { suggestedName: 'x.probescope', kind: 'probescope', bytes }, tmp)).toBeNull();
    expect(existsSync(path.join(tmp, 'x.probescope'))).toBe(false);
  });
});

describe('displayName', () => {
  it('keeps names the contract accepts', () => {
    expect(displayName('/a/b/ok name.probescope')).toBe('ok name.probescope');
    expect(displayName('/a/b/we:ird*.probescope')).toBe('we_ird_.probescope');
  });
});
