/**
 * Main-process side of the IPC contract: one validated handler per channel,
 * answering only the app's own top-level frame.
 */
import { isAppUrl } from '../protocol/schemes.ts';
import { IPC_CHANNELS, parseArgs, parseResult } from './contract.ts';
import type { IpcArgs, IpcChannel, IpcResult } from './contract.ts';

export type IpcHandlers = {
  readonly [C in IpcChannel]: (...args: IpcArgs<C>) => Promise<IpcResult<C>> | IpcResult<C>;
};

/** The parts of Electron's WebFrameMain / IpcMainInvokeEvent / ipcMain used here. */
export interface SenderFrameLike {
  readonly url: string;
  readonly parent: unknown;
}
export interface InvokeEventLike {
  readonly senderFrame: SenderFrameLike | null;
}
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
}

/** Only the top-level frame of a page on the app origin may call the main process. */
export function isTrustedSender(frame: SenderFrameLike | null): boolean {
  return frame !== null && frame.parent === null && isAppUrl(frame.url);
}

async function dispatch<C extends IpcChannel>(
  channel: C,
  handlers: IpcHandlers,
  event: InvokeEventLike,
  rawArgs: readonly unknown[],
): Promise<IpcResult<C>> {
  if (!isTrustedSender(event.senderFrame)) throw new Error(`${channel}: sender is not the app`);
  const args = parseArgs(channel, rawArgs);
  const handler = handlers[channel] as (...a: IpcArgs<C>) => Promise<IpcResult<C>> | IpcResult<C>;
  return parseResult(channel, await handler(...args));
}

export function registerIpcHandlers(ipcMain: IpcMainLike, handlers: IpcHandlers): void {
  for (const channel of IPC_CHANNELS) {
    ipcMain.handle(channel, (event, ...args) => dispatch(channel, handlers, event, args));
  }
}
