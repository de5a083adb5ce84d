/** The model shipped with the app (copied into the build by renderer/build/builtin-models.ts). */
import { BUILTIN_MODEL_FILES } from 'virtual:probescope/builtin-models';
import type { ModelSourceRequest } from '../worker/contracts.ts';

export const BUILTIN_MODEL = 'stories260K';

export function builtinSource(baseUri: string = document.baseURI): ModelSourceRequest {
  return { kind: 'builtin', name: BUILTIN_MODEL, url: new URL(`models/${BUILTIN_MODEL}/`, baseUri).href, files: BUILTIN_MODEL_FILES[BUILTIN_MODEL] ?? [] };
}

export const DEFAULT_PROMPT = 'Once upon a time, there was a little girl named Lily. She loved to play outside. One day, Lily';
export const DEFAULT_CORRUPTED = 'Once upon a time, there was a little boy named Tim. He loved to play outside. One day, Tim';
