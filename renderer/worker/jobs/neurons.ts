/** Neuron decoding: analysis/methods/neurons.ts decodeNeuron. */
import { decodeNeuron } from '../../../analysis/methods/neurons.ts';
import { JobInputError } from '../errors.ts';
import type { JobContext } from '../job-context.ts';
import type { NeuronParams, NeuronResult } from '../method-contracts.ts';
import type { EngineSession } from '../session.ts';

export async function neurons(session: EngineSession, params: NeuronParams, ctx: JobContext): Promise<NeuronResult> {
  const model = session.requireModel();
  const { nLayers, dMlp } = model.spec;
  if (!Number.isInteger(params.layer) || params.layer < 0 || params.layer >= nLayers) throw new JobInputError(`Layer ${params.layer} is outside 0–${nLayers - 1}.`);
  if (!Number.isInteger(params.neuron) || params.neuron < 0 || params.neuron >= dMlp) throw new JobInputError(`Neuron ${params.neuron} is outside 0–${dMlp - 1}.`);
  return decodeNeuron(ctx.watch(model), { layer: params.layer, neuron: params.neuron, topK: params.topK, applyNormGain: params.applyNormGain });
}
