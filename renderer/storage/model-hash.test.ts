import { describe, expect, it } from 'vitest';
import { MODEL_IDENTITY_SCHEME } from '../../analysis/formats/model-identity.ts';
import type { ModelIdentity } from '../../analysis/formats/model-identity.ts';
import { describeModelDifference } from './model-hash.ts';

describe('describeModelDifference', () => {
  const hash: ModelIdentity = { scheme: MODEL_IDENTITY_SCHEME, config: 'c'.repeat(64), tokenizer: 't'.repeat(64), weights: 'w'.repeat(64), weightBytes: 1 };

  it('is null for the same model and names every part that differs', () => {
    expect(describeModelDifference({ name: 'a', hash }, { name: 'b', hash })).toBeNull();
    expect(describeModelDifference({ name: 'a', hash }, { name: 'b', hash: { ...hash, weights: 'x'.repeat(64) } })).toMatch(
      /"a".*"b".*differs in its weights: results may not reproduce/,
    );
    expect(describeModelDifference({ name: 'a', hash }, { name: 'b', hash: { ...hash, config: 'x'.repeat(64), tokenizer: null } })).toMatch(
      /differs in its configuration and tokenizer:/,
    );
  });

  it('treats a missing hash, or one of the older sampled scheme, as unknown: no warning either way', () => {
    const legacy = { scheme: 'probescope-sampled-v1' as const, config: 'c'.repeat(64), weights: 'w'.repeat(64), weightBytes: 1 };
    expect(describeModelDifference({ name: 'a', hash }, { name: 'a', hash: null })).toBeNull();
    expect(describeModelDifference({ name: 'a', hash: legacy }, { name: 'b', hash })).toBeNull();
    expect(describeModelDifference({ name: 'a', hash: legacy }, { name: 'b', hash: legacy })).toBeNull();
  });
});
