/**
 * Loads a Hugging Face folder's weights for the app once they are known to fit: the headers
 * give the memory the weights need, checked against what the backend offers (memory-fit.ts)
 * before any weight is read; then the weights are read tensor by tensor with per-tensor progress.
 */
import { readModelConfig } from '../../../analysis/formats/config.ts';
import type { ModelSource } from '../../../analysis/formats/source.ts';
import type { HostModel } from '../../../analysis/model/load.ts';
import { loadHostModel } from '../../../analysis/model/load.ts';
import { checkpointMemoryNeed } from '../../../analysis/model/memory-need.ts';
import type { Backend } from '../../../gpu/backend.ts';
import { JobInputError } from '../errors.ts';
import type { JobContext } from '../job-context.ts';
import { describeFit, gib, memoryOffer, misfit } from '../memory-fit.ts';
import { releaseBackend } from '../webgpu-backend.ts';

/**
 * `bytesRead()` says how many weight bytes the source has delivered so far (for the label). On a
 * refusal or a failed read the backend (chosen for this model only) is released.
 */
export async function loadWithinMemory(source: ModelSource, backend: Backend, ctx: JobContext, bytesRead: () => number): Promise<HostModel> {
  const { spec } = await readModelConfig(source);
  const need = await checkpointMemoryNeed(source, spec);
  const offer = memoryOffer(backend);
  const refusal = misfit(need, offer);
  if (refusal !== null) {
    releaseBackend(backend);
    throw new JobInputError(`${source.label}: ${refusal}`);
  }
  const fit = describeFit(need, offer);
  ctx.progress(0, need.tensors, 'tensors', fit);
  try {
    let count = need.tensors;
    const host = await loadHostModel(source, {
      onTensor: (name, index, total) => {
        count = total;
        ctx.progress(index, total, 'tensors', `reading ${name} (${gib(bytesRead())} of ${gib(need.weightBytes)}); ${fit}`);
      },
    });
    ctx.progress(count, count, 'tensors', `weights read (${gib(bytesRead())}); ${fit}`);
    return host;
  } catch (e) {
    releaseBackend(backend);
    throw e;
  }
}
