/**
 * Datasets a notebook's dataset cell can name instead of spelling out examples. Each is a
 * documented generator in analysis/ (so the app, the CLI and the methods' tests share one copy).
 */
import type { ProbeDataset } from '../analysis/methods/probe-data.ts';
import { subjectGenderDataset } from '../analysis/methods/probe-data.ts';
import type { DatasetCell } from './schema.ts';

export const BUILTIN_DATASETS: Readonly<Record<string, () => ProbeDataset>> = {
  'subject-gender': subjectGenderDataset,
};

/** The examples of a dataset cell (a built-in by name, or the inline examples). */
export function datasetOf(cell: DatasetCell): ProbeDataset {
  const d = cell.dataset;
  if (!('builtin' in d)) return d;
  const make = BUILTIN_DATASETS[d.builtin];
  if (!make) throw new Error(`unknown built-in dataset "${d.builtin}" (available: ${Object.keys(BUILTIN_DATASETS).join(', ')})`);
  return make();
}
