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

/** What the app menu can ask the page to do (main → renderer, channel `menu:command`). */
export const MENU_COMMANDS = ['open-model', 'new-project', 'open-project', 'export-project', 'export-figure'] as const;
export const MenuCommandSchema = z.enum(MENU_COMMANDS);
export type MenuCommand = z.infer<typeof MenuCommandSchema>;

/**
 * Largest file that crosses IPC in one piece (a .probescope project or an exported figure);
 * the same bound the importer applies to .probescope files.
 */
export const MAX_TRANSFER_BYTES = 1024 * 1024 * 1024;

const Bytes = z
  .instanceof(Uint8Array)
  .refine((b) => b.byteLength <= MAX_TRANSFER_BYTES, `larger than ${MAX_TRANSFER_BYTES} bytes`);

/** A file name without any directory: what the page suggests and what it is told back, never a path. */
export const BaseNameSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^/\\:*?"<>|\u0000-\u001f]+$/, 'not a plain file name')
  .refine((name) => name !== '.' && name !== '..', 'not a plain file name');

/** What the page may save through the native save dialog; each kind has its own file filter. */
export const EXPORT_KINDS = ['probescope', 'svg', 'png', 'csv', 'json', 'html'] as const;

export const SaveExportArgsSchema = z.strictObject({
  suggestedName: BaseNameSchema,
  kind: z.enum(EXPORT_KINDS),
  bytes: Bytes,
});
export type SaveExportArgs = z.infer<typeof SaveExportArgsSchema>;

export const OpenedFileSchema = z.strictObject({ name: BaseNameSchema, bytes: Bytes });
export type OpenedFile = z.infer<typeof OpenedFileSchema>;

export const HubDownloadArgsSchema = z.strictObject({
  /** "owner/name"; validated again (with the Hub's rules) by the downloader. */
  repo: z.string().min(1).max(200),
  revision: z.string().min(1).max(255).optional(),
  /** For gated/private repos; used for this download only, never stored or logged. */
  token: z.string().min(1).max(1024).optional(),
});
export type HubDownloadArgs = z.infer<typeof HubDownloadArgsSchema>;

export const HubProgressSchema = z.strictObject({
  repo: z.string(),
  file: z.string(),
  bytes: z.number().nonnegative(),
  total: z.number().nonnegative(),
  filesDone: z.number().int().nonnegative(),
  filesTotal: z.number().int().nonnegative(),
});
export type HubProgress = z.infer<typeof HubProgressSchema>;

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
  /** Native open dialog for one .probescope file; its name and bytes, or null if cancelled. */
  'file:openProject': {
    method: 'openProjectFile',
    args: z.tuple([]),
    result: OpenedFileSchema.nullable(),
  },
  /**
   * Native save dialog, then writes `bytes` where the user chose. The page suggests a name and
   * learns the chosen name, never a path; null if cancelled.
   */
  'file:saveExport': {
    method: 'saveExport',
    args: z.tuple([SaveExportArgsSchema]),
    result: z.strictObject({ name: BaseNameSchema }).nullable(),
  },
  /**
   * Downloads a model from the Hugging Face Hub into the app's models folder (resumable,
   * checksummed; progress on `hub:progress`) and opens it like a picked folder.
   */
  'hub:download': {
    method: 'downloadHubModel',
    args: z.tuple([HubDownloadArgsSchema]),
    result: ModelFolderSchema,
  },
} as const;

/**
 * Main → renderer messages. Each has a payload schema, validated when sent (main) and again
 * when received (preload), and one subscription method on the bridge.
 */
export const ipcEvents = {
  'menu:command': { method: 'onMenuCommand', payload: MenuCommandSchema },
  'hub:progress': { method: 'onHubProgress', payload: HubProgressSchema },
} as const;

export type IpcEvents = typeof ipcEvents;
export type IpcEvent = keyof IpcEvents;
export type IpcEventPayload<E extends IpcEvent> = z.infer<IpcEvents[E]['payload']>;
export const IPC_EVENTS = Object.keys(ipcEvents) as IpcEvent[];

export function parseEventPayload<E extends IpcEvent>(event: E, value: unknown): IpcEventPayload<E> {
  const schema: z.ZodType = ipcEvents[event].payload;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new IpcValidationError(`invalid payload for ${event}: ${describe(parsed.error)}`);
  return parsed.data as IpcEventPayload<E>;
}

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
