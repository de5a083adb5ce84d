/**
 * The ArrayBuffers inside a result, so postMessage can move them instead of copying. Only
 * typed arrays that own their whole buffer are moved (a view into a larger buffer is copied,
 * since moving the buffer would take its neighbours along).
 */
export function transferablesOf(value: unknown, out: ArrayBuffer[] = [], seen = new Set<unknown>()): ArrayBuffer[] {
  if (typeof value !== 'object' || value === null || seen.has(value)) return out;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    const buffer = value.buffer;
    if (buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === buffer.byteLength && !out.includes(buffer)) {
      out.push(buffer);
    }
    return out;
  }
  if (value instanceof Blob) return out;
  for (const v of Array.isArray(value) ? value : Object.values(value)) transferablesOf(v, out, seen);
  return out;
}
