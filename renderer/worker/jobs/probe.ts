/** Linear probes by layer: analysis/methods/probe.ts on the built-in or a user dataset. */
import { probe } from '../../../analysis/methods/probe.ts';
import { parseProbeDataset, subjectGenderDataset } from '../../../analysis/methods/probe-data.ts';
import type { ProbeDataset } from '../../../analysis/methods/probe-data.ts';
import { JobInputError } from '../errors.ts';
import type { JobContext } from '../job-context.ts';
import type { ProbeJobResult, ProbeParams } from '../method-contracts.ts';
import type { EngineSession } from '../session.ts';
import { passCounter } from './passes.ts';

export function dataset(params: Pick<ProbeParams, 'dataset'>): { data: ProbeDataset; name: string } {
  if (params.dataset.kind === 'builtin') return { data: subjectGenderDataset(), name: 'subject gender (built-in)' };
  let json: unknown;
  try {
    json = JSON.parse(params.dataset.text);
  } catch (e) {
    throw new JobInputError(`${params.dataset.name} is not valid JSON (${(e as Error).message}).`);
  }
  try {
    return { data: parseProbeDataset(json, params.dataset.name), name: params.dataset.name };
  } catch (e) {
    throw new JobInputError((e as Error).message);
  }
}

export async function probeJob(session: EngineSession, params: ProbeParams, ctx: JobContext): Promise<ProbeJobResult> {
  const model = session.requireModel();
  const { data, name } = dataset(params);
  const L = model.spec.nLayers;
  const watched = passCounter(ctx, model, Math.ceil(data.examples.length / 16) + 2 * L, 'collecting activations and fitting');
  const result = await probe(watched, {
    dataset: data,
    hook: params.hook,
    position: params.position,
    method: params.method,
    testFraction: params.testFraction,
    seed: params.seed,
  });
  return { ...result, datasetName: name };
}
