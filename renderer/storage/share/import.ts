/**
 * .probescope file → a new project. The whole file is checked before the database is touched:
 * zip structure and sizes (zip-reader.ts), manifest and format version, the document schema,
 * every array reference, every link between parts. Then all rows are added in one transaction
 * under fresh ids, with `add` (which fails on an existing key), so an import can never
 * overwrite a project and a failure at any point leaves the database as it was.
 *
 * Nothing in a file is executed: it is parsed as JSON and bytes, and stored as data.
 */
import { insertProjectContents, remapContents } from '../contents.ts';
import type { ProbescopeDb } from '../db.ts';
import { MissingRecordError } from '../errors.ts';
import { MAX_NAME_LENGTH } from '../ids.ts';
import { describeModelDifference } from '../model-hash.ts';
import type { ModelReference, ProjectContents, ProjectRow } from '../records.ts';
import { writeTransaction } from '../tables.ts';
import { ArrayReader, decodeValue, findForbiddenKey } from './codec.ts';
import { isExpectedEntry, MANIFEST_ENTRY, parseManifest, parseProjectDocument, PROJECT_ENTRY } from './document.ts';
import type { Manifest, ProjectDocument } from './document.ts';
import { ShareFormatError } from './errors.ts';
import { DEFAULT_SHARE_LIMITS } from './limits.ts';
import type { ShareLimits } from './limits.ts';
import { readZipDirectory, readZipEntry } from './zip-reader.ts';

export interface ImportWarning {
  readonly kind: 'model-mismatch';
  readonly message: string;
}

export interface ImportOptions {
  /** The model open in the app; a project made with different weights gets a warning. */
  readonly currentModel?: ModelReference | null;
  readonly limits?: ShareLimits;
}

export interface ImportResult {
  readonly project: ProjectRow;
  readonly manifest: Manifest;
  readonly warnings: readonly ImportWarning[];
}

function parseJsonEntry(name: string, bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ShareFormatError(`${name} is not valid UTF-8 text`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ShareFormatError(`${name} is not valid JSON (${(e as Error).message})`);
  }
  const forbidden = findForbiddenKey(json);
  if (forbidden !== null) throw new ShareFormatError(`${name}: ${forbidden}: this key is not allowed (it could alter object prototypes)`);
  return json;
}

/** Reads and checks every entry; returns the manifest, the document and the binary entries. */
export function readProjectFile(data: Uint8Array, limits: ShareLimits = DEFAULT_SHARE_LIMITS) {
  const entries = readZipDirectory(data, limits, isExpectedEntry);
  const byName = new Map(entries.map((e) => [e.name, e]));
  for (const required of [MANIFEST_ENTRY, PROJECT_ENTRY]) {
    if (!byName.has(required)) throw new ShareFormatError(`the file has no ${required}: not a Probescope project`);
  }
  for (const name of [MANIFEST_ENTRY, PROJECT_ENTRY]) {
    const size = byName.get(name)!.size;
    if (size > limits.maxJsonBytes) throw new ShareFormatError(`${name} declares ${size} bytes, more than the ${limits.maxJsonBytes}-byte limit`);
  }
  // The manifest first: a newer format is reported as such, not as a schema error further on.
  const manifest = parseManifest(parseJsonEntry(MANIFEST_ENTRY, readZipEntry(data, byName.get(MANIFEST_ENTRY)!)));
  const document = parseProjectDocument(parseJsonEntry(PROJECT_ENTRY, readZipEntry(data, byName.get(PROJECT_ENTRY)!)));
  const arrays = new Map<string, Uint8Array>();
  for (const e of entries) if (e.name !== MANIFEST_ENTRY && e.name !== PROJECT_ENTRY) arrays.set(e.name, readZipEntry(data, e));
  return { manifest, document, arrays };
}

function checkUniqueIds(document: ProjectDocument): void {
  const parts = ['prompts', 'datasets', 'experiments', 'figures', 'probes', 'notebooks'] as const;
  for (const part of parts) {
    const seen = new Set<string>();
    for (const [i, row] of document[part].entries()) {
      if (seen.has(row.id)) throw new ShareFormatError(`${PROJECT_ENTRY}: ${part}[${i}].id "${row.id}" is used twice`);
      seen.add(row.id);
    }
  }
}

/** The document's rows (still under the file's ids), arrays decoded. */
function toContents(document: ProjectDocument, arrayEntries: ReadonlyMap<string, Uint8Array>): ProjectContents {
  checkUniqueIds(document);
  const arrays = new ArrayReader(arrayEntries);
  const projectId = document.project.id;
  const at = (part: string, i: number, field: string) => `${PROJECT_ENTRY}: ${part}[${i}].${field}`;
  const contents: ProjectContents = {
    project: { ...document.project, deletedAt: null },
    prompts: document.prompts.map((p) => ({ ...p, projectId })),
    datasets: document.datasets.map((d) => ({ ...d, projectId })),
    experiments: document.experiments.map(({ result: _r, ...e }, i) => ({ ...e, projectId, params: decodeValue(e.params, at('experiments', i, 'params'), arrays) })),
    results: document.experiments.map((e, i) => ({ id: e.id, projectId, value: decodeValue(e.result, at('experiments', i, 'result'), arrays) })),
    figures: document.figures.map((f, i) => ({ ...f, projectId, figure: decodeValue(f.figure, at('figures', i, 'figure'), arrays) })),
    probes: document.probes.map((p, i) => ({ ...p, projectId, probe: decodeValue(p.probe, at('probes', i, 'probe'), arrays) })),
    notebooks: document.notebooks.map((n, i) => ({ ...n, projectId, notebook: decodeValue(n.notebook, at('notebooks', i, 'notebook'), arrays) })),
  };
  const unused = arrays.unused();
  if (unused.length > 0) throw new ShareFormatError(`unexpected entry "${unused[0]}": no field of ${PROJECT_ENTRY} refers to it`);
  return contents;
}

function warningsFor(document: ProjectDocument, currentModel: ModelReference | null | undefined): ImportWarning[] {
  const made = document.project.model;
  if (!made || !currentModel) return [];
  const difference = describeModelDifference(made, currentModel);
  return difference === null ? [] : [{ kind: 'model-mismatch', message: `Model mismatch: ${difference}.` }];
}

/** A name that is not already used by a live project: "<name> (imported)", "(imported 2)", …. */
async function freshName(db: ProbescopeDb, name: string): Promise<string> {
  const taken = new Set((await db.projects.toArray()).filter((p) => p.deletedAt === null).map((p) => p.name));
  if (!taken.has(name)) return name;
  for (let n = 1; ; n++) {
    const suffix = ` (imported${n === 1 ? '' : ` ${n}`})`;
    const candidate = `${name.slice(0, MAX_NAME_LENGTH - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

export async function importProject(db: ProbescopeDb, data: Uint8Array, options: ImportOptions = {}): Promise<ImportResult> {
  const { manifest, document, arrays } = readProjectFile(data, options.limits);
  const contents = toContents(document, arrays);
  let fresh: ProjectContents;
  try {
    fresh = remapContents(contents, { name: await freshName(db, document.project.name), now: Date.now() });
  } catch (e) {
    if (e instanceof MissingRecordError) throw new ShareFormatError(`${PROJECT_ENTRY}: ${e.message}`);
    throw e;
  }
  await writeTransaction(db, `the imported project "${fresh.project.name}"`, () => insertProjectContents(db, fresh));
  return { project: fresh.project, manifest, warnings: warningsFor(document, options.currentModel) };
}
