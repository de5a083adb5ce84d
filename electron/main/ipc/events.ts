/**
 * Main → renderer messages, validated against the contract before they are sent, and sent only
 * to a live window's contents.
 */
import { parseEventPayload } from './contract.ts';
import type { IpcEvent, IpcEventPayload } from './contract.ts';

/** The parts of Electron's WebContents used here. */
export interface EventTargetLike {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

/** Sends `payload` on `event`; false when there is no live window to send to. */
export function sendEvent<E extends IpcEvent>(target: EventTargetLike | null | undefined, event: E, payload: IpcEventPayload<E>): boolean {
  const valid = parseEventPayload(event, payload);
  if (!target || target.isDestroyed()) return false;
  target.send(event, valid);
  return true;
}
