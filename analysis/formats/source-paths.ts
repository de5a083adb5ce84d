/**
 * Model files are named relative to their folder ("config.json", "model-00001-of-00002.safetensors").
 * A name from a file we read (e.g. a shard in an index) must not escape the folder or the URL
 * prefix, so sources check every name with this.
 */
export function checkRelativeFileName(file: string, label: string): void {
  const parts = file.split(/[\\/]/);
  const unsafe =
    file.length === 0 ||
    file.startsWith('/') ||
    file.startsWith('\\') ||
    /^[A-Za-z]:/.test(file) ||
    file.includes('\0') ||
    parts.some((p) => p === '..' || p === '.' || p === '');
  if (unsafe) throw new Error(`${label}: "${file}" is not a plain file name inside the model folder`);
}

/** Validates a byte range request against a file size; throws naming the file. */
export function checkRange(label: string, file: string, start: number, end: number, size: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > size) {
    throw new RangeError(`${label}: read of bytes [${start}, ${end}) is outside ${file} (${size} bytes)`);
  }
}
