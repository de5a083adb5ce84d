/** Random ids for every row (UUID v4): unique across machines, so an import never collides by chance. */
export function newId(): string {
  if (typeof globalThis.crypto?.randomUUID === 'function') return globalThis.crypto.randomUUID();
  // randomUUID needs a secure context; getRandomValues does not.
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Names are shown in lists and file names: one line, not empty, not endless. */
export const MAX_NAME_LENGTH = 200;

export function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string') throw new TypeError(`${what}: expected a string, got ${typeof name}`);
  const trimmed = name.trim();
  if (trimmed === '') throw new RangeError(`${what}: must not be empty`);
  if (trimmed.length > MAX_NAME_LENGTH) throw new RangeError(`${what}: ${trimmed.length} characters, at most ${MAX_NAME_LENGTH} allowed`);
  if (/[\r\n]/.test(trimmed)) throw new RangeError(`${what}: must be a single line`);
  return trimmed;
}
