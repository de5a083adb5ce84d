/**
 * Export and import of .probescope files against real IndexedDB: a round trip is exact, and
 * every malformed, truncated, oversized or hostile file is refused with a clear message while
 * the database stays exactly as it was.
 */
import { unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readProjectContents } from '../contents.ts';
import type { ProbescopeDb } from '../db.ts';
import { StorageQuotaError } from '../errors.ts';
import { pinFigure, saveDataset, saveExperiment, saveNotebook, saveProbe, savePrompt } from '../parts.ts';
import { createProject, deleteProject, getProject, listProjects, purgeDeletedProjects } from '../projects.ts';
import type { ModelReference, ProjectContents } from '../records.ts';
import { dropDb, freshDb, injectFault, quotaError, snapshot } from '../test-support.ts';
import { ShareFormatError } from './errors.ts';
import { exportProject, fileNameFor } from './export.ts';
import { importProject } from './import.ts';
import { DEFAULT_SHARE_LIMITS } from './limits.ts';
import { readZipDirectory } from './zip-reader.ts';
import { makeZip, patchDeclaredSize } from './zip-test-support.ts';

const MODEL: ModelReference = {
  name: 'stories260K',
  hash: { scheme: 'probescope-model-v2', config: 'a'.repeat(64), tokenizer: 'd'.repeat(64), weights: 'b'.repeat(64), weightBytes: 1044992 },
};

let db: ProbescopeDb;
beforeEach(() => {
  db = freshDb();
});
afterEach(() => dropDb(db));

/** A project with every kind of part and awkward numbers (NaN, ±Infinity, -0, subnormals). */
async function richProject(name = 'Induction heads') {
  const p = await createProject(db, { name, model: MODEL });
  await savePrompt(db, p.id, { name: 'pair', text: 'When Mary and John went', corrupted: 'When Mary and Anna went' });
  await saveDataset(db, p.id, { name: 'pronouns', items: [{ text: 'He ran', label: 'he' }, { text: 'She ran', label: 0.5 }] });
  const patterns = new Float32Array([0.25, NaN, -Infinity, -0, 1e-45, 3.4e38, 0, 1]);
  new Uint32Array(patterns.buffer)[1] = 0x7fc00001; // a NaN with a payload: bits must survive too
  const exp = await saveExperiment(db, p.id, {
    kind: 'attention',
    label: 'L0 patterns',
    params: { ids: [1, 403, 2], layer: 0, temperature: -0, nothing: null },
    result: {
      nLayers: 1, nHeads: 2, pos: 2, patterns,
      logits: new Float64Array([Math.PI, -Infinity]), ranks: new Int32Array([-1, 2 ** 31 - 1]),
      ids: new Uint16Array([65535, 0]), mask: new Uint8Array([1, 0, 1]), small: new Int8Array([-128]), wide: new Uint32Array([4294967295]), i16: new Int16Array([-32768]),
      entropy: NaN, best: Infinity, worst: -Infinity, signedZero: -0, tokens: ['▁Mary', ' John', '\u0000'],
    },
  });
  await saveExperiment(db, p.id, { kind: 'logit-lens', params: {}, result: null });
  await pinFigure(db, p.id, { title: 'Heads', experimentId: exp.id, figure: { data: [{ type: 'heatmap', z: new Float32Array([1, 2]) }], layout: { title: { text: 'Heads' } } } });
  await pinFigure(db, p.id, { title: 'Free figure', figure: { data: [], layout: {} } });
  await saveProbe(db, p.id, { name: 'layer 3 probe', probe: { layer: 3, weights: new Float32Array([0.5, -0.5]), bias: 0.1 } });
  await saveNotebook(db, p.id, { name: 'tour', notebook: { version: 1, cells: [{ kind: 'markdown', text: '<script>alert(1)</script>' }] } });
  return p;
}

/** Contents without ids and times that an import legitimately changes, for comparison. */
function comparable(c: ProjectContents) {
  const expIndex = new Map(c.experiments.map((e, i) => [e.id, i]));
  const strip = <T extends { id: string; projectId: string }>({ id: _i, projectId: _p, ...rest }: T) => rest;
  return {
    name: c.project.name,
    model: c.project.model,
    prompts: c.prompts.map(strip),
    datasets: c.datasets.map(strip),
    experiments: c.experiments.map(strip),
    results: c.experiments.map((e) => c.results.find((r) => r.id === e.id)?.value),
    figures: c.figures.map((f) => ({ ...strip(f), experimentId: f.experimentId === null ? null : expIndex.get(f.experimentId) })),
    probes: c.probes.map(strip),
    notebooks: c.notebooks.map(strip),
  };
}

/** Every typed array in a value, in traversal order, as [dtype, bytes]. */
function arraysOf(value: unknown, out: Array<[string, Uint8Array]> = []): Array<[string, Uint8Array]> {
  if (ArrayBuffer.isView(value)) out.push([value.constructor.name, new Uint8Array(value.buffer, value.byteOffset, value.byteLength)]);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) arraysOf(v, out);
  return out;
}

describe('round trip', () => {
  it('exports, deletes, imports: identical contents, typed arrays bit for bit', async () => {
    const original = await richProject();
    const before = await readProjectContents(db, original.id);
    const { bytes, fileName } = await exportProject(db, original.id);
    expect(fileName).toBe('Induction heads.probescope');

    await deleteProject(db, original.id);
    await purgeDeletedProjects(db, { deletedBefore: Date.now() + 1 });
    expect(await listProjects(db)).toEqual([]);

    const { project, warnings, manifest } = await importProject(db, bytes, { currentModel: MODEL });
    expect(warnings).toEqual([]);
    expect(manifest).toMatchObject({ format: 'probescope-project', formatVersion: 1 });
    expect(project.id).not.toBe(original.id);
    const after = await readProjectContents(db, project.id);
    expect(comparable(after)).toEqual(comparable(before));

    const a = arraysOf(comparable(before));
    const b = arraysOf(comparable(after));
    expect(a.length).toBe(10); // 8 in the result, the figure's z, the probe's weights
    expect(b.map(([t]) => t)).toEqual(a.map(([t]) => t));
    b.forEach(([, bytes], i) => expect(bytes).toEqual(a[i][1]));
    const result = after.results.find((r) => r.id === after.experiments[0].id)!.value as Record<string, unknown>;
    expect(Object.is(result.signedZero, -0)).toBe(true);
    expect(result.entropy).toBeNaN();
    expect(new Uint32Array((result.patterns as Float32Array).buffer)[1]).toBe(0x7fc00001);
  });

  it('stores arrays as .bin entries, not JSON numbers', async () => {
    const p = await richProject();
    const files = unzipSync((await exportProject(db, p.id)).bytes);
    const names = Array.from({ length: 10 }, (_, i) => `arrays/${i}.bin`);
    expect(Object.keys(files).sort()).toEqual([...names, 'manifest.json', 'project.json'].sort());
    const json = new TextDecoder().decode(files['project.json']);
    expect(json).toContain('"$bin": "arrays/0.bin"');
    expect(json).not.toContain('3.4e+38');
    expect(JSON.parse(new TextDecoder().decode(files['manifest.json']))).toMatchObject({ appVersion: expect.stringMatching(/^\d+\.\d+\.\d+/), created: expect.any(String) });
  });

  it('never overwrites: importing twice, or next to the original, makes new projects', async () => {
    const original = await richProject();
    const { bytes } = await exportProject(db, original.id);
    const first = await importProject(db, bytes);
    const second = await importProject(db, bytes);
    expect(new Set([original.id, first.project.id, second.project.id]).size).toBe(3);
    expect(first.project.name).toBe('Induction heads (imported)');
    expect(second.project.name).toBe('Induction heads (imported 2)');
    const { name: _a, ...originalParts } = comparable(await readProjectContents(db, original.id));
    const { name: _b, ...importedParts } = comparable(await readProjectContents(db, first.project.id));
    expect(importedParts).toEqual(originalParts);
    expect(await db.experiments.count()).toBe(6);
    const ids = (await db.experiments.toArray()).map((e) => e.id);
    expect(new Set(ids).size).toBe(6);
  });

  it('warns (and still imports) when the open model differs from the project\'s', async () => {
    const p = await richProject();
    const { bytes } = await exportProject(db, p.id);
    const other: ModelReference = { name: 'my-llama', hash: { ...MODEL.hash!, weights: 'c'.repeat(64) } };
    const { warnings, project } = await importProject(db, bytes, { currentModel: other });
    expect(warnings).toEqual([{ kind: 'model-mismatch', message: expect.stringMatching(/^Model mismatch: the project was made with "stories260K".*"my-llama".*weights: results may not reproduce\.$/) }]);
    expect(await readProjectContents(db, project.id)).toBeTruthy();
  });

  it('imports a project whose model hash has the older sampled scheme as stored, without comparing it', async () => {
    const legacy: ModelReference = { name: 'stories260K', hash: { scheme: 'probescope-sampled-v1', config: 'a'.repeat(64), weights: 'b'.repeat(64), weightBytes: 1044992 } };
    const p = await createProject(db, { name: 'Old project', model: legacy });
    const { bytes } = await exportProject(db, p.id);
    const { warnings, project } = await importProject(db, bytes, { currentModel: MODEL });
    expect(warnings).toEqual([]);
    expect((await getProject(db, project.id))?.model).toEqual(legacy);
  });

  it('names the exported file safely', () => {
    expect(fileNameFor('a/b\\c:d*?"<>|\u0007e')).toBe('a_b_c_d_______e.probescope');
    expect(fileNameFor('..hidden')).toBe('_hidden.probescope');
  });
});

describe('refusing bad files, database untouched', () => {
  let validEntries: Record<string, Uint8Array>;
  let validBytes: Uint8Array;

  beforeEach(async () => {
    const p = await richProject('Existing');
    validBytes = (await exportProject(db, p.id)).bytes;
    validEntries = unzipSync(validBytes);
  });

  const json = (name: string) => JSON.parse(new TextDecoder().decode(validEntries[name])) as Record<string, unknown>;
  const withEntries = (changes: Record<string, Uint8Array | string | null>) => {
    const files: Record<string, Uint8Array | string> = { ...validEntries };
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) delete files[k];
      else files[k] = v;
    }
    return makeZip(files);
  };
  const withDocument = (edit: (doc: Record<string, unknown> & { experiments: Array<Record<string, unknown>> }) => void) => {
    const doc = json('project.json') as Record<string, unknown> & { experiments: Array<Record<string, unknown>> };
    edit(doc);
    return withEntries({ 'project.json': JSON.stringify(doc) });
  };

  async function expectRefused(bytes: Uint8Array, message: RegExp, limits = DEFAULT_SHARE_LIMITS) {
    const before = await snapshot(db);
    const error = await importProject(db, bytes, { limits }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error, 'the import should have failed').toBeInstanceOf(ShareFormatError);
    expect((error as Error).message).toMatch(message);
    expect(await snapshot(db)).toEqual(before);
  }

  it('sanity: the unmodified file imports', async () => {
    await expect(importProject(db, withEntries({}))).resolves.toBeTruthy();
  });

  it('a truncated file', async () => {
    await expectRefused(validBytes.subarray(0, Math.floor(validBytes.length / 2)), /truncated/);
    await expectRefused(validBytes.subarray(0, validBytes.length - 1), /truncated/);
  });

  it('a corrupted byte', async () => {
    const corrupt = validBytes.slice();
    const entry = readZipDirectory(validBytes, DEFAULT_SHARE_LIMITS, () => true).find((e) => e.name === 'arrays/0.bin')!;
    corrupt[entry.dataStart + Math.floor(entry.compressedSize / 2)] ^= 0xff;
    await expectRefused(corrupt, /corrupt|CRC-32|inflates/);
  });

  it('garbage and empty files', async () => {
    await expectRefused(new TextEncoder().encode('#!/bin/sh\nrm -rf /\n'), /not a \.probescope file/);
    await expectRefused(new Uint8Array(0), /too short for a zip archive/);
    await expectRefused(makeZip({}), /no manifest.json: not a Probescope project/);
  });

  it('a zip bomb: declared sizes over the limits, or more data than declared', async () => {
    const zeros = new Uint8Array(8 * 1024 * 1024);
    const limits = { ...DEFAULT_SHARE_LIMITS, maxEntryBytes: 1024 * 1024, maxTotalBytes: 4 * 1024 * 1024 };
    await expectRefused(withEntries({ 'arrays/12.bin': zeros }), /declares 8.0 MiB uncompressed, more than the 1.0 MiB limit/, limits);
    const lying = patchDeclaredSize(withEntries({}), 'project.json', 100);
    await expectRefused(lying, /zip entry "project.json" inflates to more than the 100 bytes it declares/);
    await expectRefused(validBytes, /more than the 0.0 MiB a .probescope file may be/, { ...DEFAULT_SHARE_LIMITS, maxFileBytes: 1000 });
    await expectRefused(validBytes, /project.json declares \d+ bytes, more than the 200-byte limit/, { ...DEFAULT_SHARE_LIMITS, maxJsonBytes: 200 }); // the manifest fits, project.json does not
  });

  it.each([
    ['../../evil.json'],
    ['/etc/passwd'],
    ['arrays/../../x.bin'],
    ['arrays\\0.bin'],
    ['C:/x.bin'],
    ['arrays/'],
    ['script.js'],
    ['arrays/01.bin'],
  ])('an entry named %j', async (name) => {
    await expectRefused(withEntries({ [name]: 'x' }), /unexpected zip entry/);
  });

  it('an array entry nothing refers to', async () => {
    await expectRefused(withEntries({ 'arrays/99.bin': new Uint8Array(4) }), /unexpected entry "arrays\/99.bin": no field of project.json refers to it/);
  });

  it('prototype-pollution keys anywhere', async () => {
    const polluted = new TextDecoder().decode(validEntries['project.json']).replace('"nLayers"', '"__proto__": {"polluted": true}, "nLayers"');
    await expectRefused(withEntries({ 'project.json': polluted }), /project.json: experiments\[0\].result.__proto__: this key is not allowed/);
    await expectRefused(withEntries({ 'manifest.json': '{"constructor": {"prototype": {"x": 1}}}' }), /manifest.json: constructor: this key is not allowed/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('an array of the wrong length (NaN-laden bytes) or dtype', async () => {
    const nanBytes = new Uint8Array(new Float32Array(5).fill(NaN).buffer);
    await expectRefused(withEntries({ 'arrays/0.bin': nanBytes }), /experiments\[0\].result.patterns: arrays\/0.bin holds 20 bytes, but 8 float32 values need 32/);
    await expectRefused(
      withDocument((d) => {
        (d.experiments[0].result as Record<string, unknown>).patterns = { $bin: 'arrays/0.bin', dtype: 'float128', length: 8 };
      }),
      /result.patterns: dtype must be one of float32, .*got "float128"/,
    );
    await expectRefused(
      withDocument((d) => {
        (d.experiments[0].result as Record<string, unknown>).patterns = { $bin: 'arrays/0.bin', dtype: 'float32', length: 8, extra: 1 };
      }),
      /exactly the fields \$bin, dtype, length/,
    );
    await expectRefused(
      withDocument((d) => {
        (d.experiments[0].result as Record<string, unknown>).logits = { $bin: 'arrays/0.bin', dtype: 'float32', length: 8 };
      }),
      /"arrays\/0.bin" is referenced twice/,
    );
    await expectRefused(
      withDocument((d) => {
        (d.experiments[0].result as Record<string, unknown>).entropy = { $number: 'eval("x")' };
      }),
      /result.entropy: \{"\$number": …\} must be exactly one of/,
    );
  });

  it('wrong types and missing fields, named by path', async () => {
    await expectRefused(withDocument((d) => ((d.project as Record<string, unknown>).name = 42)), /project.json is not a valid Probescope project: project.name: .*string/);
    await expectRefused(withDocument((d) => delete d.experiments[0].kind), /experiments.0.kind/);
    await expectRefused(withDocument((d) => (d.experiments[0].run = 'fetch("https://evil")')), /experiments.0: Unrecognized key: "run"/);
    await expectRefused(withDocument((d) => (d.prompts = 'all of them')), /prompts: .*array/);
    await expectRefused(withEntries({ 'project.json': '{"project": ' }), /project.json is not valid JSON/);
    await expectRefused(withEntries({ 'project.json': new Uint8Array([0xff, 0xfe, 0x00]) }), /project.json is not valid UTF-8/);
  });

  it('broken links and duplicate ids inside the project', async () => {
    await expectRefused(
      withDocument((d) => ((d.figures as Array<Record<string, unknown>>)[0].experimentId = 'no-such-experiment')),
      /project.json: figure "Heads" refers to experiment no-such-experiment, which is not in the project/,
    );
    await expectRefused(withDocument((d) => (d.experiments[1].id = d.experiments[0].id)), /experiments\[1\].id ".*" is used twice/);
  });

  it('manifests of another format, a newer version, or malformed', async () => {
    const manifest = json('manifest.json');
    await expectRefused(withEntries({ 'manifest.json': JSON.stringify({ ...manifest, format: 'jupyter' }) }), /"format" is "jupyter", expected "probescope-project"/);
    await expectRefused(
      withEntries({ 'manifest.json': JSON.stringify({ ...manifest, formatVersion: 7, appVersion: '9.0.0', newField: 1 }) }),
      /written by a newer Probescope \(file format version 7, app 9.0.0\); this app reads format version 1 and older: update Probescope/,
    );
    await expectRefused(withEntries({ 'manifest.json': JSON.stringify({ ...manifest, created: 'yesterday' }) }), /manifest.json is not a valid Probescope project: created/);
    await expectRefused(withEntries({ 'manifest.json': null }), /no manifest.json/);
  });

  it('a failure while writing the import rolls it back completely', async () => {
    const fresh = freshDb();
    try {
      injectFault(fresh, { table: 'notebooks', error: quotaError }); // the last table an import writes
      await createProject(fresh, { name: 'Already here' });
      const before = await snapshot(fresh);
      await expect(importProject(fresh, validBytes)).rejects.toThrow(StorageQuotaError);
      expect(await snapshot(fresh)).toEqual(before); // projects, experiments, results … all rolled back
      await expect(importProject(fresh, validBytes)).resolves.toBeTruthy(); // the fault fires once
      expect(await fresh.projects.count()).toBe(2);
      expect(await fresh.experiments.count()).toBe(2);
    } finally {
      await dropDb(fresh);
    }
  });
});
