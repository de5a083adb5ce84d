/** Issue #11, finding 6: notebook validation and model references against hostile input. */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinModelFolder } from '../analysis/model/builtin.ts';
import { testTempDir } from '../test/temp-dir.ts';
import { folderIdentity } from './node/model-host.ts';
import { NotebookValidationError, validateNotebook } from './validate.ts';

const example = (): { cells: Record<string, unknown>[] } =>
  JSON.parse(readFileSync('notebooks/examples/logit-lens.probescope-notebook.json', 'utf8'));

describe('notebook validate: names select views by own property only', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])('options.view "%s" is one issue naming the cell and field', (view) => {
    const notebook = example();
    const at = notebook.cells.findIndex((c) => c.kind === 'figure');
    notebook.cells[at] = { ...notebook.cells[at], options: { view } };
    let error: unknown;
    try {
      validateNotebook(notebook);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NotebookValidationError);
    const issues = (error as NotebookValidationError).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0].where).toMatch(/options\.view/);
    expect(issues[0].message).toMatch(new RegExp(`has no view "${view}"`));
  });
});

describe('model identity of hostile folders', () => {
  function modelCopy(): string {
    const dir = testTempDir('probescope-ref-');
    copyFileSync(join(builtinModelFolder('builtin:stories260K'), 'config.json'), join(dir, 'config.json'));
    return dir;
  }

  it('a model file linked to /dev/zero is refused, not hashed forever', async () => {
    const dir = modelCopy();
    symlinkSync('/dev/zero', join(dir, 'model.safetensors'));
    await expect(folderIdentity(dir)).rejects.toThrow(`${dir}: model.safetensors is a character device, not a regular file; refusing to read it`);
  });

  it('a FIFO among the model files is refused without blocking', async () => {
    const dir = modelCopy();
    execFileSync('mkfifo', [join(dir, 'tokenizer.json')]);
    await expect(folderIdentity(dir)).rejects.toThrow(/tokenizer\.json is a FIFO \(named pipe\), not a regular file/);
  });

  it('a regular folder still hashes', async () => {
    const dir = testTempDir('probescope-ref-');
    cpSync(builtinModelFolder('builtin:stories260K'), dir, { recursive: true });
    expect(await folderIdentity(dir)).toMatch(/^probescope-model-v2:[0-9a-f]{64}:[0-9a-f]{64}:[0-9a-f]{64}:\d+$/);
  });
});
