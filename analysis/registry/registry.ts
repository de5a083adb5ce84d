/**
 * The method steps notebooks can use, by name. One adapter per method lives next to this file;
 * adding a method is one import and one entry here.
 */
import { attentionPatternsStep } from './attention-patterns.ts';
import { attributionGraphStep } from './attribution-graph.ts';
import { ablateHeadsStep } from './ablate-heads.ts';
import { attributionPatchingStep } from './attribution-patching.ts';
import { dlaStep } from './dla.ts';
import { featureAttributionStep, featureDashboardsStep, featureSearchStep, featureSteerStep } from './dictionaries.ts';
import { headAblationStep } from './head-ablation.ts';
import { headScoresStep } from './head-scores.ts';
import { linearScopeStep } from './linearscope.ts';
import { logitLensStep } from './logit-lens.ts';
import { neuronsStep } from './neurons.ts';
import { obspropStep } from './obsprop.ts';
import { pathPatchingStep } from './path-patching.ts';
import { patchingStep } from './patching.ts';
import { probeStep } from './probe.ts';
import { retrievalStep } from './retrieval.ts';
import { runModelStep } from './run-model.ts';
import type { RegisteredMethod } from './contract.ts';

export type MethodRegistry = ReadonlyMap<string, RegisteredMethod>;

export function methodRegistry(steps: readonly RegisteredMethod[]): MethodRegistry {
  const map = new Map<string, RegisteredMethod>();
  for (const s of steps) {
    if (map.has(s.method)) throw new Error(`internal: two steps named "${s.method}"`);
    map.set(s.method, s);
  }
  return map;
}

export const METHODS: MethodRegistry = methodRegistry([runModelStep, logitLensStep, attentionPatternsStep, neuronsStep, dlaStep, headAblationStep, ablateHeadsStep, patchingStep, pathPatchingStep, headScoresStep, attributionPatchingStep, linearScopeStep, obspropStep, retrievalStep, probeStep, featureDashboardsStep, featureSteerStep, featureSearchStep, featureAttributionStep, attributionGraphStep]);
