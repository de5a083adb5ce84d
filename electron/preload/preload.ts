/**
 * Preload script (sandboxed, bundled to CommonJS). Exposes only the
 * contract-generated API; ipcRenderer itself never reaches the page.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { z } from 'zod';
import { BRIDGE_KEY, createBridgeApi } from './api.ts';

// The page's CSP forbids eval; keep zod from even probing for it (this is the preload bundle's own zod copy).
z.config({ jitless: true });

contextBridge.exposeInMainWorld(
  BRIDGE_KEY,
  createBridgeApi(
    (channel, ...args) => ipcRenderer.invoke(channel, ...args),
    (channel, handler) => {
      // The IpcRendererEvent (with its sender) stays here; the page gets the validated payload only.
      const listener = (_event: IpcRendererEvent, payload: unknown) => handler(payload);
      ipcRenderer.on(channel, listener);
      return () => {
        ipcRenderer.removeListener(channel, listener);
      };
    },
  ),
);
