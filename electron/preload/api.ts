/**
 * The API the preload script exposes to the renderer as `window.probescope`,
 * generated from the IPC contract: one method per channel, arguments validated
 * before they leave the renderer, results validated when they come back.
 */
import { IPC_CHANNELS, ipcContract, parseArgs, parseResult } from '../main/ipc/contract.ts';
import type { IpcArgs, IpcChannel, IpcContract, IpcResult } from '../main/ipc/contract.ts';

export type ProbescopeBridge = {
  readonly [C in IpcChannel as IpcContract[C]['method']]: (...args: IpcArgs<C>) => Promise<IpcResult<C>>;
};

/** Name of the global the preload script defines: `window.probescope`. */
export const BRIDGE_KEY = 'probescope';

export type Invoke = (channel: IpcChannel, ...args: unknown[]) => Promise<unknown>;

export function createBridgeApi(invoke: Invoke): ProbescopeBridge {
  const api: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const channel of IPC_CHANNELS) {
    api[ipcContract[channel].method] = async (...args: unknown[]) => {
      const validArgs: readonly unknown[] = parseArgs(channel, args);
      return parseResult(channel, await invoke(channel, ...validArgs));
    };
  }
  return Object.freeze(api) as unknown as ProbescopeBridge;
}
