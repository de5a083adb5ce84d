/**
 * Opens a dictionary folder the user picked (or any ModelSourceRequest), checked against the
 * open model, for the session's method jobs (user-dictionaries.ts).
 */
import type { OpenDictionaryParams, OpenedDictionaries } from '../dictionary-contracts.ts';
import type { EngineSession } from '../session.ts';
import type { UserDictionaries } from '../user-dictionaries.ts';
import { folderDigest } from '../user-dictionaries.ts';
import { sourceFor } from './load-model.ts';

export async function openDictionaryJob(session: EngineSession, dictionaries: UserDictionaries, params: OpenDictionaryParams): Promise<OpenedDictionaries> {
  const model = session.requireModel();
  const { source: request } = params;
  const digest = request.kind === 'files' ? await folderDigest(request.files) : request.url;
  return dictionaries.open(sourceFor(request), model, digest);
}
