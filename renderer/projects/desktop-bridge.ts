/**
 * The desktop shell's API (`window.probescope`, defined by electron/preload) when the page runs
 * inside Electron; null in a plain browser, where the web fallbacks (file input, downloads) apply.
 */
import type { ProbescopeBridge } from '../../electron/preload/api.ts';

export function desktopBridge(): ProbescopeBridge | null {
  const candidate = (globalThis as { probescope?: unknown }).probescope;
  return typeof candidate === 'object' && candidate !== null ? (candidate as ProbescopeBridge) : null;
}
