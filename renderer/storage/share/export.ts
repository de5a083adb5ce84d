/**
 * Project → one .probescope file (format in document.ts). Everything is read in one IndexedDB
 * read transaction, so the file is a consistent snapshot even while autosave keeps writing.
 */
import { zipSync } from 'fflate';
import type { Zippable } from 'fflate';
import { readProjectContents } from '../contents.ts';
import type { ProbescopeDb } from '../db.ts';
import type { ProjectContents } from '../records.ts';
import { APP_VERSION } from './app-version.ts';
import { ArrayWriter, encodeValue } from './codec.ts';
import type { Json } from './codec.ts';
import { FILE_EXTENSION, FORMAT_NAME, FORMAT_VERSION, MANIFEST_ENTRY, PROJECT_ENTRY } from './document.ts';
import type { Manifest, ProjectDocument } from './document.ts';

export interface ExportedProject {
  readonly bytes: Uint8Array;
  /** A safe file name from the project's name, e.g. "Induction heads.probescope". */
  readonly fileName: string;
}

export interface ExportOptions {
  readonly appVersion?: string;
  readonly now?: Date;
}

/** The project as the format's document plus its binary entries. */
export function toDocument(contents: ProjectContents, arrays: ArrayWriter): ProjectDocument {
  const { project } = contents;
  const resultOf = new Map(contents.results.map((r) => [r.id, r.value]));
  return {
    project: { id: project.id, name: project.name, model: project.model, createdAt: project.createdAt, updatedAt: project.updatedAt },
    prompts: contents.prompts.map(({ projectId: _p, interventions, ...row }) => ({ ...row, ...(interventions && { interventions: interventions.map((s) => ({ ...s })) }) })),
    datasets: contents.datasets.map(({ projectId: _p, ...row }) => ({ ...row, items: row.items.map((i) => ({ ...i })) })),
    experiments: contents.experiments.map(({ projectId: _p, interventions, ...row }) => ({
      ...row,
      ...(interventions && { interventions: [...interventions] }),
      params: encodeValue(row.params, arrays),
      result: encodeValue(resultOf.get(row.id) ?? null, arrays),
    })),
    figures: contents.figures.map(({ projectId: _p, ...row }) => ({ ...row, figure: encodeValue(row.figure, arrays) })),
    probes: contents.probes.map(({ projectId: _p, ...row }) => ({ ...row, probe: encodeValue(row.probe, arrays) })),
    notebooks: contents.notebooks.map(({ projectId: _p, ...row }) => ({ ...row, notebook: encodeValue(row.notebook, arrays) })),
  };
}

/** Characters that are unsafe in file names on some system become "_". */
export function fileNameFor(projectName: string): string {
  const safe = projectName.replace(/[\\/:*?"<>|\p{Cc}]/gu, '_').replace(/^\.+/, '_').trim().slice(0, 120);
  return `${safe || 'project'}${FILE_EXTENSION}`;
}

export function encodeProjectFile(contents: ProjectContents, options: ExportOptions = {}): Uint8Array {
  const arrays = new ArrayWriter();
  const document = toDocument(contents, arrays);
  const manifest: Manifest = {
    format: FORMAT_NAME,
    formatVersion: FORMAT_VERSION,
    appVersion: options.appVersion ?? APP_VERSION,
    created: (options.now ?? new Date()).toISOString(),
  };
  const json = (value: Manifest | ProjectDocument | Json) => new TextEncoder().encode(JSON.stringify(value, null, 1));
  const files: Zippable = {
    [MANIFEST_ENTRY]: [json(manifest), { level: 6 }],
    [PROJECT_ENTRY]: [json(document), { level: 6 }],
  };
  // Level 1: float data barely compresses, but masked patterns and sparse results are mostly zeros.
  for (const { name, bytes } of arrays.entries) files[name] = [bytes, { level: 1 }];
  return zipSync(files);
}

export async function exportProject(db: ProbescopeDb, projectId: string, options: ExportOptions = {}): Promise<ExportedProject> {
  const contents = await readProjectContents(db, projectId);
  return { bytes: encodeProjectFile(contents, options), fileName: fileNameFor(contents.project.name) };
}
