/**
 * Saves a Blob as a file through an <a download> click: works in every browser and in
 * Electron (whose session turns it into a save dialog). The object URL is revoked after the
 * click has been handled.
 */
export function safeFileName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._ -]+/g, '_').replace(/\s+/g, '-').replace(/^[.-]+/, '');
  return cleaned.slice(0, 120) || 'probescope';
}

export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = safeFileName(fileName);
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
