/** The dataset a probe run reads: the built-in subject-gender set, or a dataset file's JSON text. */
import { parseProbeDataset, subjectGenderDataset } from '../../../analysis/methods/probe-data.ts';
import type { ProbeDataset } from '../../../analysis/methods/probe-data.ts';
import { JobInputError } from '../errors.ts';
import type { ProbeDatasetInput } from '../method-contracts.ts';

export function probeDataset(input: ProbeDatasetInput): ProbeDataset {
  if (input.kind === 'builtin') return subjectGenderDataset();
  let json: unknown;
  try {
    json = JSON.parse(input.text);
  } catch (e) {
    throw new JobInputError(`${input.name} is not valid JSON (${(e as Error).message}).`);
  }
  try {
    return parseProbeDataset(json, input.name);
  } catch (e) {
    throw new JobInputError((e as Error).message);
  }
}
