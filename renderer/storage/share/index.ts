/** Sharing: projects to and from .probescope files. */
export { exportProject, encodeProjectFile, fileNameFor } from './export.ts';
export type { ExportedProject, ExportOptions } from './export.ts';
export { importProject, readProjectFile } from './import.ts';
export type { ImportOptions, ImportResult, ImportWarning } from './import.ts';
export { ShareFormatError } from './errors.ts';
export { DEFAULT_SHARE_LIMITS } from './limits.ts';
export type { ShareLimits } from './limits.ts';
export { FILE_EXTENSION, FORMAT_VERSION } from './document.ts';
