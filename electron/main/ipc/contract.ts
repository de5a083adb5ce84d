/**
 * The complete renderer -> main IPC surface. Each channel has a zod schema for
 * its arguments and its result; both sides validate at runtime, so the
 * renderer cannot smuggle arbitrary values into the main process and a main
 * handler cannot leak more than the contract promises. There is no generic
 * channel (no "send anything", no file paths): a folder the user picked is
 * known to the renderer only by an opaque id.
 */
import { z } from 'zod';

export const FolderIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'not a folder id');

export const ModelFolderSchema = z.strictObject({
  folderId: FolderIdSchema,
  /** Display name (the folder's base name). */
  name: z.string().min(1).max(255),
});
export type ModelFolder = z.infer<typeof ModelFolderSchema>;

export const ipcContract = {
  /** Native folder picker; the chosen folder becomes readable through probescope-model://<folderId>/. null if cancelled. */
  'dialog:openModelFolder': {
    method: 'openModelFolder',
    args: z.tuple([]),
    result: ModelFolderSchema.nullable(),
  },
  /** Revokes the renderer's access to a folder it opened. Resolves false if the id was unknown. */
  'model:forgetFolder': {
    method: 'forgetModelFolder',
    args: z.tuple([FolderIdSchema]),
    result: z.boolean(),
  },
} as const;

export type IpcContract = typeof ipcContract;
export type IpcChannel = keyof IpcContract;
export type IpcArgs<C extends IpcChannel> = z.infer<IpcContract[C]['args']>;
export type IpcResult<C extends IpcChannel> = z.infer<IpcContract[C]['result']>;

export const IPC_CHANNELS = Object.keys(ipcContract) as IpcChannel[];

export function isIpcChannel(value: unknown): value is IpcChannel {
  return typeof value === 'string' && Object.hasOwn(ipcContract, value);
}

export class IpcValidationError extends Error {
  override readonly name = 'IpcValidationError';
}

function describe(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

export function parseArgs<C extends IpcChannel>(channel: C, args: readonly unknown[]): IpcArgs<C> {
  const schema: z.ZodType = ipcContract[channel].args;
  const parsed = schema.safeParse(args);
  if (!parsed.success) throw new IpcValidationError(`invalid arguments for ${channel}: ${describe(parsed.error)}`);
  // Indexing the contract with a generic key loses the channel/schema pairing; the cast restores it.
  return parsed.data as IpcArgs<C>;
}

export function parseResult<C extends IpcChannel>(channel: C, value: unknown): IpcResult<C> {
  const schema: z.ZodType = ipcContract[channel].result;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new IpcValidationError(`invalid result from ${channel}: ${describe(parsed.error)}`);
  return parsed.data as IpcResult<C>;
}
