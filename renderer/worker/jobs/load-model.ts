/**
 * Opens a model: the folder's files through a ModelSource (HTTP Range for the built-in model,
 * Blob slices for a picked folder), host weights via the engine's loader, then onto the chosen
 * backend. Reports bytes read; the loader's ModelFormatError messages reach the UI unchanged.
 */
import { HttpSource } from '../../../analysis/formats/http-source.ts';
import { modelIdentity } from '../../../analysis/formats/model-identity.ts';
import type { ModelSource } from '../../../analysis/formats/source.ts';
import type { HostModel } from '../../../analysis/model/load.ts';
import { isGgufPath, loadGgufHostModel } from '../../../analysis/model/gguf-load.ts';
import { modelOnBackend } from '../../../analysis/model/model.ts';
import { FileListSource } from '../../model-sources/file-list-source.ts';
import { ListedSource } from '../../model-sources/listed-source.ts';
import { selectBackend } from '../backend-select.ts';
import type { LoadModelParams, ModelCard, ModelSourceRequest } from '../contracts.ts';
import { JobInputError } from '../errors.ts';
import type { JobContext } from '../job-context.ts';
import { JobCancelledError } from '../job-context.ts';
import { MeteredSource } from '../metered-source.ts';
import type { EngineSession } from '../session.ts';
import { loadWithinMemory } from './load-weights.ts';
import { describeModel } from './model-card.ts';

export function sourceFor(request: ModelSourceRequest): ModelSource {
  switch (request.kind) {
    case 'builtin':
      return new ListedSource(new HttpSource(request.url, { label: `builtin:${request.name}` }), request.files);
    case 'url':
      return new HttpSource(request.url, { label: request.label });
    case 'files':
      if (request.files.length === 0) throw new JobInputError(`${request.label}: the folder is empty.`);
      return new FileListSource(request.label, request.files);
  }
}

/** The .gguf file when the user opened one (a single picked file), else null (a model folder). */
export function ggufFileOf(request: ModelSourceRequest): string | null {
  if (request.kind !== 'files' || request.files.length !== 1) return null;
  const [file] = request.files;
  return isGgufPath(file.path) ? file.path : null;
}

export async function loadModel(session: EngineSession, params: LoadModelParams, ctx: JobContext): Promise<ModelCard> {
  const started = performance.now();
  let bytesRead = 0;
  const source = new MeteredSource(sourceFor(params.source), {
    onBytes: (done) => {
      bytesRead = done;
    },
    check: () => {
      if (ctx.cancelled) throw new JobCancelledError();
    },
  });
  ctx.progress(0, 1, 'bytes', 'reading config');
  const gguf = ggufFileOf(params.source);
  ctx.progress(0, 1, 'passes', 'choosing a backend');
  const { backend, note } = await selectBackend(params.backend);
  const host: HostModel = gguf === null ? await loadWithinMemory(source, backend, ctx, () => bytesRead) : await loadGgufHostModel(source, gguf);
  // A few reads past the loader's (headers, the ends of every tensor): the same identity the CLI
  // and notebooks compute. Before the upload, so a failed read leaves nothing on the backend.
  const identity = await modelIdentity(source, gguf ?? undefined);
  await ctx.checkpoint();
  ctx.progress(0, 1, 'passes', `uploading weights (${backend.info.name})`);
  const model = modelOnBackend({ ...host, label: source.label }, backend);
  await backend.sync();
  const card = { ...describeModel(host, model, note, performance.now() - started), identity };
  session.replace({ model, card, source: params.source });
  return card;
}
