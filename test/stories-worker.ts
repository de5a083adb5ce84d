/**
 * The worker's job handlers with the built-in stories260K open on the reference CPU backend,
 * read from disk as the page would hand it over (Blobs), for tests of worker jobs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Progress } from '../renderer/worker/contracts.ts';
import { createHandlers } from '../renderer/worker/handlers.ts';
import { WorkerJobContext } from '../renderer/worker/job-context.ts';
import type { JobHandlers } from '../renderer/worker/runner.ts';
import { EngineSession } from '../renderer/worker/session.ts';

/** A job context whose progress reports land in `progress`. */
export const jobContext = (progress: Progress[] = []) => new WorkerJobContext((p) => progress.push(p));

/** The handlers over `session` (pass one to reach its plain model), with stories260K open. */
export async function storiesHandlers(session = new EngineSession()): Promise<JobHandlers> {
  const folder = path.resolve(import.meta.dirname, '../models/stories260K');
  const files = readdirSync(folder).map((name) => ({ path: name, file: new Blob([readFileSync(path.join(folder, name))]) }));
  const h = createHandlers(session);
  await h.loadModel({ source: { kind: 'files', label: 'stories260K', files }, backend: 'cpu' }, jobContext());
  return h;
}

/** Token ids of `text` (BOS prepended) through the worker's tokenize job. */
export async function tokenIds(h: JobHandlers, text: string): Promise<number[]> {
  return (await h.tokenize({ text, prependBos: true }, jobContext())).tokens.map((t) => t.id);
}
