/** Provided by renderer/build/builtin-models.ts. */
declare module 'virtual:probescope/builtin-models' {
  /** File names of each built-in model folder, e.g. { stories260K: ['config.json', …] }. */
  export const BUILTIN_MODEL_FILES: Readonly<Record<string, readonly string[]>>;
}
