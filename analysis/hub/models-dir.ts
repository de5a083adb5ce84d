/**
 * Where downloaded models live: one folder per repo, "<owner>--<name>" (repo ids cannot contain
 * "--", so the mapping is one to one), under the models folder:
 *   $PROBESCOPE_MODELS_DIR, else $XDG_DATA_HOME/probescope/models, else ~/.local/share/probescope/models
 * (the desktop app passes its own, inside the app's user-data folder).
 */
import os from 'node:os';
import path from 'node:path';

export function defaultModelsDir(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  if (env.PROBESCOPE_MODELS_DIR) return path.resolve(env.PROBESCOPE_MODELS_DIR);
  const data = env.XDG_DATA_HOME ? path.resolve(env.XDG_DATA_HOME) : path.join(home, '.local', 'share');
  return path.join(data, 'probescope', 'models');
}

/** The folder name of a (validated) repo id. */
export function folderNameFor(repo: string): string {
  return repo.split('/').join('--');
}

/** Written next to the files: where they came from, which commit, and their hashes. Never the token. */
export const DOWNLOAD_RECORD = '.probescope-download.json';
