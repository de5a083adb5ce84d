/**
 * Progress reports of one registry method run, for the tests that check a method's plan equals
 * the passes it makes (analysis/registry/*-plan.test.ts).
 */
import { expect } from 'vitest';
import type { Model } from '../analysis/model/model.ts';
import { METHODS } from '../analysis/registry/registry.ts';

/** Runs `method` on `prompts` (cell `p`, clean = 0, corrupted = 1 unless params say otherwise), recording every (done, total) report; every report must count passes. */
export async function runWithReports(model: Model, method: string, params: Record<string, unknown>, prompts: readonly number[][]): Promise<{ reports: [number, number][]; result: unknown }> {
  const reports: [number, number][] = [];
  const result = await METHODS.get(method)!.run(model, { clean: 0, corrupted: 1, ...params }, {
    prompts: { cell: 'p', items: prompts.map((ids) => ({ ids: [...ids] })) },
    dataset: null,
    signal: new AbortController().signal,
    onProgress: (done, total, unit) => {
      expect(unit).toBe('passes');
      reports.push([done, total]);
    },
  });
  return { reports, result };
}

/** The passes made (the last report's count), after checking the reports are 0/N, 1/N, … N/N, N/N. */
export function exactPlan(reports: readonly [number, number][]): number {
  const n = reports.at(-1)![0];
  expect(reports).toEqual([...Array.from({ length: n + 1 }, (_, i) => [i, n]), [n, n]]);
  return n;
}
