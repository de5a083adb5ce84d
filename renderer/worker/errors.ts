/** Turns anything a job throws into the protocol's JobError. */
import { ModelFormatError } from '../../analysis/formats/errors.ts';
import type { JobError } from './contracts.ts';

/** A problem with what the user asked for (no model loaded, prompt too long…): shown as is. */
export class JobInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobInputError';
  }
}

export function toJobError(e: unknown): JobError {
  if (e instanceof ModelFormatError) return { kind: 'format', name: e.name, message: e.message };
  if (e instanceof JobInputError) return { kind: 'input', name: e.name, message: e.message };
  if (e instanceof Error) return { kind: 'internal', name: e.name, message: e.message };
  return { kind: 'internal', name: 'Error', message: String(e) };
}
