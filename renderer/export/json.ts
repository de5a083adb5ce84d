/**
 * JSON export of a result: typed arrays become plain arrays (with their shape kept by the
 * caller's field names), non-finite numbers become null, Blobs are left out.
 */
export function toJsonValue(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>, (v) => (Number.isFinite(v) ? v : null));
  }
  if (value instanceof Blob) return undefined;
  if (Array.isArray(value)) return value.map(toJsonValue);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const converted = toJsonValue(v);
    if (converted !== undefined) out[k] = converted;
  }
  return out;
}

export function toJsonText(value: unknown): string {
  return `${JSON.stringify(toJsonValue(value), null, 2)}\n`;
}
