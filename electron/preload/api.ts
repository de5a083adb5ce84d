/**
 * The API the preload script exposes to the renderer as `window.probescope`, generated from the
 * IPC contract: one method per invoke channel (arguments validated before they leave the
 * renderer, results validated when they come back) and one `on…` method per main → renderer
 * event (payloads validated before the page's listener sees them). Nothing else: no
 * ipcRenderer, no channel names chosen by the page.
 */
import { IPC_CHANNELS, IPC_EVENTS, ipcContract, ipcEvents, parseArgs, parseEventPayload, parseResult } from '../main/ipc/contract.ts';
import type { IpcArgs, IpcChannel, IpcContract, IpcEvent, IpcEventPayload, IpcEvents, IpcResult } from '../main/ipc/contract.ts';

export type ProbescopeBridge = {
  readonly [C in IpcChannel as IpcContract[C]['method']]: (...args: IpcArgs<C>) => Promise<IpcResult<C>>;
} & {
  /** Subscribes to an event from the main process; returns the unsubscribe function. */
  readonly [E in IpcEvent as IpcEvents[E]['method']]: (listener: (payload: IpcEventPayload<E>) => void) => () => void;
};

/** Name of the global the preload script defines: `window.probescope`. */
export const BRIDGE_KEY = 'probescope';

export type Invoke = (channel: IpcChannel, ...args: unknown[]) => Promise<unknown>;
/** Registers `handler` for messages on `channel` (ipcRenderer.on without the event object); returns an unsubscribe. */
export type Subscribe = (channel: IpcEvent, handler: (payload: unknown) => void) => () => void;

const noSubscriptions: Subscribe = () => () => undefined;

export function createBridgeApi(invoke: Invoke, subscribe: Subscribe = noSubscriptions): ProbescopeBridge {
  const api: Record<string, (...args: never[]) => unknown> = {};
  for (const channel of IPC_CHANNELS) {
    api[ipcContract[channel].method] = async (...args: unknown[]) => {
      const validArgs: readonly unknown[] = parseArgs(channel, args);
      return parseResult(channel, await invoke(channel, ...validArgs));
    };
  }
  for (const event of IPC_EVENTS) {
    api[ipcEvents[event].method] = (listener: (payload: unknown) => void) => {
      if (typeof listener !== 'function') throw new TypeError(`${ipcEvents[event].method}: expected a listener function`);
      return subscribe(event, (payload) => {
        // A payload outside the contract is dropped (and reported), never handed to the page.
        let valid: unknown;
        try {
          valid = parseEventPayload(event, payload);
        } catch (e) {
          console.error(`[probescope] ${(e as Error).message}`);
          return;
        }
        listener(valid);
      });
    };
  }
  return Object.freeze(api) as unknown as ProbescopeBridge;
}
