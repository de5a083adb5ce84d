/**
 * Where a model's files come from: a folder on disk (Node), a directory the user picked in the
 * browser, files served over HTTP (the built-in model, Electron's model protocol). Everything
 * reads through this so the loaders are the same everywhere.
 */
export interface ModelSource {
  /** A name for messages, e.g. the folder path or "builtin:stories260K". */
  readonly label: string;
  /** Whether the file exists (names are relative to the model folder, e.g. "config.json"). */
  has(file: string): Promise<boolean>;
  /** Size in bytes; throws a message naming the file when it is missing. */
  size(file: string): Promise<number>;
  /** Bytes [start, end) of the file; throws when the range is outside the file. The caller may keep
   *  (and view) the returned array: a source must not hand out storage it reuses. */
  read(file: string, start: number, end: number): Promise<Uint8Array>;
}
