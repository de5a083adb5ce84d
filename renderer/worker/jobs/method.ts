/**
 * Any registered method (analysis/registry/) on the open model: the same definition, params
 * schema and JSON result as the CLI and notebooks. Progress is the method's own plan (passes);
 * cancel aborts the run's signal, which the method's metered model checks before every
 * read-back. The answer names the interventions the run's model carried.
 */
import type { ProbeDataset } from '../../../analysis/methods/probe-data.ts';
import { openBuiltinDictionaries } from '../../../analysis/dictionaries/builtin.ts';
import { METHODS } from '../../../analysis/registry/registry.ts';
import { JobInputError } from '../errors.ts';
import type { JobContext } from '../job-context.ts';
import type { MethodJobParams, MethodJobResult } from '../method-contracts.ts';
import type { EngineSession } from '../session.ts';
import type { UserDictionaries } from '../user-dictionaries.ts';
import { probeDataset } from './probe-dataset.ts';

export async function methodJob(session: EngineSession, params: MethodJobParams, ctx: JobContext, opened: UserDictionaries): Promise<MethodJobResult> {
  const method = METHODS.get(params.method);
  if (!method) throw new JobInputError(`There is no method "${params.method}" (methods: ${[...METHODS.keys()].join(', ')}).`);
  const checked = method.checkParams(params.params);
  if (!checked.ok) throw new JobInputError(checked.issues.map((i) => `${i.path || 'params'}: ${i.message}`).join('; '));
  let data: ProbeDataset | null = null;
  if (method.input === 'dataset') {
    if (!params.dataset) throw new JobInputError(`${method.title} needs a dataset.`);
    data = probeDataset(params.dataset);
  }
  const model = session.requireModel();
  const result = await method.run(model, params.params, {
    prompts: method.input === 'prompts' ? { cell: 'prompt workspace', items: params.prompts ?? [], prependBos: params.prependBos } : null,
    dataset: data,
    // The dictionaries that ship with the app (builtin:…, served with the build), and the folders
    // the user opened this session (folder:…, see user-dictionaries.ts).
    dictionaries: async (ref, field) => (opened.has(ref) ? opened.resolve(ref, field) : openBuiltinDictionaries(ref)),
    // Built-in dictionaries are SAEs; a folder: reference may be a cross-layer transcoder.
    crossLayerTranscoder: async (ref) => opened.crossLayer(ref),
    // Kept between runs on this model, so a second run does not read the decoder rows again.
    cltLayers: (clt) => opened.crossLayerLayers(clt, session.requirePlainModel()),
    signal: ctx.signal,
    onProgress: (done, total, unit) => ctx.progress(done, total, unit, method.title),
  });
  // Read from the model this run used: a list set while it ran applies only to later jobs.
  return { result, interventions: model.standing?.interventions ?? [] };
}
