/**
 * Comparing the model a project was made with to the open one. Both references carry the model's
 * identity (analysis/formats/model-identity.ts, computed by the worker when the model is opened).
 * A reference written before that identity existed (scheme "probescope-sampled-v1") or without a
 * hash is "unknown": it is kept as stored and never compared, so it neither warns nor matches.
 */
import { MODEL_IDENTITY_SCHEME } from '../../analysis/formats/model-identity.ts';
import type { ModelIdentity } from '../../analysis/formats/model-identity.ts';
import type { ModelHash, ModelReference } from './records.ts';

/** The hash as today's identity, or null when it is absent or of an older scheme. */
export function currentIdentity(hash: ModelHash | null): ModelIdentity | null {
  return hash !== null && hash.scheme === MODEL_IDENTITY_SCHEME ? hash : null;
}

/** How two model references differ, in words; null when they are the same model or cannot be compared. */
export function describeModelDifference(expected: ModelReference, actual: ModelReference): string | null {
  const a = currentIdentity(expected.hash);
  const b = currentIdentity(actual.hash);
  if (a === null || b === null) return null;
  const differs: string[] = [];
  if (a.config !== b.config) differs.push('configuration');
  if (a.tokenizer !== b.tokenizer) differs.push('tokenizer');
  if (a.weights !== b.weights || a.weightBytes !== b.weightBytes) differs.push('weights');
  if (differs.length === 0) return null;
  const list = differs.length === 1 ? differs[0] : `${differs.slice(0, -1).join(', ')} and ${differs[differs.length - 1]}`;
  return (
    `the project was made with "${expected.name}" (weights ${a.weights.slice(0, 12)}…), but "${actual.name}" ` +
    `(weights ${b.weights.slice(0, 12)}…) differs in its ${list}: results may not reproduce`
  );
}
