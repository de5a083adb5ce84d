/**
 * Shared CLI argument helpers: every subcommand parses with node:util parseArgs (strict, so an
 * unknown flag is an error) and reads ids and numbers through these, which name the flag on error.
 */
import { readFileSync } from 'node:fs';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseIds(flag: string, value: string): number[] {
  const parts = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) throw new UsageError(`${flag}: expected comma-separated token ids, got "${value}"`);
  return parts.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag}: "${p}" is not a token id (a non-negative integer)`);
    return n;
  });
}

export function parseNumber(flag: string, value: string | undefined, fallback: number): number;
export function parseNumber(flag: string, value: string | undefined): number | undefined;
export function parseNumber(flag: string, value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`${flag}: "${value}" is not a number`);
  return n;
}

export function parseInteger(flag: string, value: string | undefined, fallback: number): number;
export function parseInteger(flag: string, value: string | undefined): number | undefined;
export function parseInteger(flag: string, value: string | undefined, fallback?: number): number | undefined {
  const n = parseNumber(flag, value, fallback as number);
  if (n !== undefined && !Number.isInteger(n)) throw new UsageError(`${flag}: "${value}" is not an integer`);
  return n;
}

/** A JSON argument given inline or as @file. */
export function parseJsonArg(flag: string, value: string): unknown {
  const text = value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`${flag}: not valid JSON (${(e as Error).message})`);
  }
}

export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag}: "${value}" is not one of ${allowed.join(', ')}`);
  return value as T;
}
