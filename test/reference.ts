/**
 * Reading the fixtures' reference.json goldens (Node). Comparison helpers live in compare.ts
 * (browser-safe) and are re-exported here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Reference } from './compare.ts';

export * from './compare.ts';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
/** The families of issue 14 (shared/fixtures README, "Newer families"). */
export const NEWER_FIXTURE_MODELS = ['gemma2-tiny', 'gemma3-tiny', 'qwen3-tiny', 'llama3-tiny', 'phi3-tiny', 'olmo2-tiny', 'mistral-tiny'] as const;
/** GPT-2, NeoX, Llama, Qwen2 and the trained stories260K. */
export const BASE_FIXTURE_MODELS = ['gpt2-tiny', 'pythia-tiny', 'llama-tiny', 'qwen2-tiny', 'stories260K-hf'] as const;
export const FIXTURE_MODELS = [...BASE_FIXTURE_MODELS, ...NEWER_FIXTURE_MODELS] as const;
export type FixtureModel = (typeof FIXTURE_MODELS)[number];

const cache = new Map<string, Reference>();
export function loadReference(model: FixtureModel): Reference {
  if (!cache.has(model)) cache.set(model, JSON.parse(readFileSync(`${FIXTURES}${model}/reference.json`, 'utf8')) as Reference);
  return cache.get(model)!;
}

