/** Probe projects in IndexedDB: the public API of renderer/storage. */
export { ProbescopeDb, DEFAULT_DB_NAME } from './db.ts';
export { LATEST_SCHEMA_VERSION } from './schema.ts';
export type * from './records.ts';
export type { StoredValue, TypedArray } from './stored-value.ts';
export { StoredValueError } from './stored-value.ts';
export { StorageError, StorageQuotaError, MissingRecordError } from './errors.ts';
export {
  createProject,
  listProjects,
  getProject,
  renameProject,
  setProjectModel,
  duplicateProject,
  deleteProject,
  restoreProject,
  purgeDeletedProjects,
} from './projects.ts';
export type { CreateProjectOptions } from './projects.ts';
export {
  savePrompt,
  saveDataset,
  saveExperiment,
  saveExperimentWithFigure,
  getExperimentResult,
  pinFigure,
  saveProbe,
  saveNotebook,
  listParts,
  deletePart,
} from './parts.ts';
export type { PromptInput, DatasetInput, ExperimentInput, FigureInput, ProbeInput, NotebookInput } from './parts.ts';
export { readProjectContents } from './contents.ts';
export { createAutosaver, flushOnHide } from './autosave.ts';
export type { Autosaver, AutosaveStatus, AutosaveState } from './autosave.ts';
export { describeModelDifference } from './model-hash.ts';
export { fingerprint } from './fingerprint.ts';
