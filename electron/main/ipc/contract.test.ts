import { describe, expect, it, vi } from 'vitest';
import { createBridgeApi } from '../../preload/api.ts';
import { IPC_CHANNELS, IPC_EVENTS, IpcValidationError, isIpcChannel, MAX_TRANSFER_BYTES, parseArgs, parseEventPayload, parseResult } from './contract.ts';
import type { SaveExportArgs } from './contract.ts';
import { sendEvent } from './events.ts';
import { isTrustedSender, registerIpcHandlers } from './register.ts';
import type { InvokeEventLike, IpcHandlers, IpcMainLike } from './register.ts';

const FOLDER = { folderId: '3f2b6a0e-8d1c-4c57-9a57-2d8f0c7e1b11', name: 'stories260K' };
const APP_FRAME = { url: 'probescope-app://app/index.html', parent: null };

describe('contract', () => {
  it('lists exactly the channels the app needs, nothing generic', () => {
    expect(IPC_CHANNELS).toEqual(['dialog:openModelFolder', 'model:forgetFolder', 'file:openProject', 'file:saveExport', 'hub:download']);
    expect(IPC_EVENTS).toEqual(['menu:command', 'hub:progress']);
    expect(isIpcChannel('dialog:openModelFolder')).toBe(true);
    expect(isIpcChannel('toString')).toBe(false);
    expect(isIpcChannel('__proto__')).toBe(false);
  });

  it('accepts valid arguments and results', () => {
    expect(parseArgs('dialog:openModelFolder', [])).toEqual([]);
    expect(parseArgs('model:forgetFolder', [FOLDER.folderId])).toEqual([FOLDER.folderId]);
    expect(parseResult('dialog:openModelFolder', FOLDER)).toEqual(FOLDER);
    expect(parseResult('dialog:openModelFolder', null)).toBeNull();
  });

  it.each([
    ['extra argument', 'dialog:openModelFolder', ['/etc']],
    ['missing argument', 'model:forgetFolder', []],
    ['path instead of id', 'model:forgetFolder', ['/home/user/models']],
    ['traversal in id', 'model:forgetFolder', ['../x']],
    ['number', 'model:forgetFolder', [42]],
    ['object', 'model:forgetFolder', [{ toString: () => 'x' }]],
    ['uppercase id', 'model:forgetFolder', ['ABC']],
    ['overlong id', 'model:forgetFolder', ['a'.repeat(64)]],
  ] as const)('rejects bad arguments: %s', (_name, channel, args) => {
    expect(() => parseArgs(channel, args)).toThrow(IpcValidationError);
  });

  it.each([
    ['extra field (would leak a path)', { ...FOLDER, path: '/home/user/models' }],
    ['missing name', { folderId: FOLDER.folderId }],
    ['empty name', { ...FOLDER, name: '' }],
    ['bad id', { ...FOLDER, folderId: 'a/b' }],
    ['undefined', undefined],
  ])('rejects bad results: %s', (_name, value) => {
    expect(() => parseResult('dialog:openModelFolder', value)).toThrow(/invalid result from dialog:openModelFolder/);
  });
});

describe('isTrustedSender', () => {
  it('trusts only the top-level frame on the app origin', () => {
    expect(isTrustedSender(APP_FRAME)).toBe(true);
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender({ url: 'probescope-app://app/index.html', parent: {} })).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'probescope-app://evil/index.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'probescope-app://user@app/index.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'file:///index.html', parent: null })).toBe(false);
  });
});

class FakeIpcMain implements IpcMainLike {
  readonly listeners = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void {
    this.listeners.set(channel, listener);
  }
  invoke(channel: string, event: InvokeEventLike, ...args: unknown[]): Promise<unknown> {
    const listener = this.listeners.get(channel);
    if (!listener) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return Promise.resolve().then(() => listener(event, ...args));
  }
}

function setup(overrides: Partial<IpcHandlers> = {}) {
  const handlers = {
    'dialog:openModelFolder': vi.fn(async () => FOLDER),
    'model:forgetFolder': vi.fn((_id: string) => true),
    'file:openProject': vi.fn(async () => ({ name: 'p.probescope', bytes: new Uint8Array([80, 75]) })),
    'file:saveExport': vi.fn(async (args: SaveExportArgs) => ({ name: args.suggestedName })),
    'hub:download': vi.fn(async () => FOLDER),
    ...overrides,
  };
  const ipcMain = new FakeIpcMain();
  registerIpcHandlers(ipcMain, handlers);
  return { ipcMain, handlers };
}

describe('registerIpcHandlers', () => {
  it('registers one handler per contract channel', () => {
    const { ipcMain } = setup();
    expect([...ipcMain.listeners.keys()]).toEqual(IPC_CHANNELS);
  });

  it('passes validated arguments through and validates the result', async () => {
    const { ipcMain, handlers } = setup();
    await expect(ipcMain.invoke('dialog:openModelFolder', { senderFrame: APP_FRAME })).resolves.toEqual(FOLDER);
    await expect(ipcMain.invoke('model:forgetFolder', { senderFrame: APP_FRAME }, FOLDER.folderId)).resolves.toBe(true);
    expect(handlers['model:forgetFolder']).toHaveBeenCalledWith(FOLDER.folderId);
  });

  it('rejects bad payloads before the handler runs', async () => {
    const { ipcMain, handlers } = setup();
    await expect(ipcMain.invoke('model:forgetFolder', { senderFrame: APP_FRAME }, '../../etc')).rejects.toThrow(IpcValidationError);
    await expect(ipcMain.invoke('model:forgetFolder', { senderFrame: APP_FRAME })).rejects.toThrow(IpcValidationError);
    await expect(ipcMain.invoke('dialog:openModelFolder', { senderFrame: APP_FRAME }, { properties: ['openFile'] })).rejects.toThrow(
      IpcValidationError,
    );
    expect(handlers['model:forgetFolder']).not.toHaveBeenCalled();
    expect(handlers['dialog:openModelFolder']).not.toHaveBeenCalled();
  });

  it('rejects calls from untrusted frames', async () => {
    const { ipcMain, handlers } = setup();
    await expect(ipcMain.invoke('dialog:openModelFolder', { senderFrame: { url: 'https://evil.example/', parent: null } })).rejects.toThrow(
      /sender is not the app/,
    );
    await expect(ipcMain.invoke('dialog:openModelFolder', { senderFrame: null })).rejects.toThrow(/sender is not the app/);
    expect(handlers['dialog:openModelFolder']).not.toHaveBeenCalled();
  });

  it('refuses to return results outside the contract', async () => {
    const leaky = vi.fn(async () => ({ ...FOLDER, path: '/secret' }));
    const { ipcMain } = setup({ 'dialog:openModelFolder': leaky as unknown as IpcHandlers['dialog:openModelFolder'] });
    await expect(ipcMain.invoke('dialog:openModelFolder', { senderFrame: APP_FRAME })).rejects.toThrow(/invalid result/);
  });

  it('has no handler for channels outside the contract', async () => {
    const { ipcMain } = setup();
    await expect(ipcMain.invoke('fs:readFile', { senderFrame: APP_FRAME }, '/etc/passwd')).rejects.toThrow(/No handler/);
  });
});

describe('preload bridge', () => {
  it('exposes one frozen method per channel and nothing else', () => {
    const api = createBridgeApi(vi.fn());
    expect(Object.keys(api).sort()).toEqual([
      'downloadHubModel', 'forgetModelFolder', 'onHubProgress', 'onMenuCommand', 'openModelFolder', 'openProjectFile', 'saveExport',
    ]);
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('round-trips through a fake ipcMain', async () => {
    const { ipcMain } = setup();
    const api = createBridgeApi((channel, ...args) => ipcMain.invoke(channel, { senderFrame: APP_FRAME }, ...args));
    await expect(api.openModelFolder()).resolves.toEqual(FOLDER);
    await expect(api.forgetModelFolder(FOLDER.folderId)).resolves.toBe(true);
  });

  it('validates arguments before sending and results after receiving', async () => {
    const invoke = vi.fn(async () => 'not a folder');
    const api = createBridgeApi(invoke);
    // @ts-expect-error: a number is not a folder id; a renderer without types could still try.
    await expect(api.forgetModelFolder(5)).rejects.toThrow(IpcValidationError);
    expect(invoke).not.toHaveBeenCalled();
    await expect(api.openModelFolder()).rejects.toThrow(/invalid result/);
  });
});

describe('file channels', () => {
  const bytes = new Uint8Array([1, 2, 3]);

  it('accepts a plain suggested name, a known kind and bytes', () => {
    expect(parseArgs('file:saveExport', [{ suggestedName: 'Induction heads.probescope', kind: 'probescope', bytes }])).toEqual([
      { suggestedName: 'Induction heads.probescope', kind: 'probescope', bytes },
    ]);
    expect(parseResult('file:openProject', { name: 'x.probescope', bytes })).toEqual({ name: 'x.probescope', bytes });
    expect(parseResult('file:saveExport', null)).toBeNull();
  });

  it.each([
    ['a path as the name', { suggestedName: '../../.bashrc', kind: 'svg', bytes }],
    ['an absolute path', { suggestedName: '/etc/cron.d/x', kind: 'svg', bytes }],
    ['a Windows path', { suggestedName: 'C:\\x.svg', kind: 'svg', bytes }],
    ['a dot name', { suggestedName: '..', kind: 'svg', bytes }],
    ['a control character', { suggestedName: 'a\nb.svg', kind: 'svg', bytes }],
    ['an unknown kind (executable)', { suggestedName: 'x.sh', kind: 'sh', bytes }],
    ['text instead of bytes', { suggestedName: 'x.svg', kind: 'svg', bytes: '<svg/>' }],
    ['a numbers array instead of bytes', { suggestedName: 'x.svg', kind: 'svg', bytes: [1, 2] }],
    ['an extra field (a path)', { suggestedName: 'x.svg', kind: 'svg', bytes, path: '/tmp/x.svg' }],
  ])('rejects saveExport with %s', (_name, args) => {
    expect(() => parseArgs('file:saveExport', [args])).toThrow(IpcValidationError);
  });

  it('bounds the bytes that cross IPC', () => {
    const huge = { byteLength: MAX_TRANSFER_BYTES + 1 };
    Object.setPrototypeOf(huge, Uint8Array.prototype);
    expect(() => parseArgs('file:saveExport', [{ suggestedName: 'x.png', kind: 'png', bytes: huge }])).toThrow(/larger than/);
  });

  it('never returns a path from openProject', () => {
    expect(() => parseResult('file:openProject', { name: '/home/me/p.probescope', bytes })).toThrow(/invalid result/);
    expect(() => parseResult('file:openProject', { name: 'p.probescope', bytes, path: '/home/me' })).toThrow(/invalid result/);
  });
});

describe('menu events', () => {
  it('validates the payload when sent and when received', () => {
    expect(parseEventPayload('menu:command', 'export-project')).toBe('export-project');
    expect(() => parseEventPayload('menu:command', 'rm -rf')).toThrow(/invalid payload for menu:command/);
    const target = { isDestroyed: () => false, send: vi.fn() };
    expect(sendEvent(target, 'menu:command', 'new-project')).toBe(true);
    expect(target.send).toHaveBeenCalledWith('menu:command', 'new-project');
    // @ts-expect-error: not a command; the contract refuses it at runtime too.
    expect(() => sendEvent(target, 'menu:command', 'format-disk')).toThrow(IpcValidationError);
    expect(sendEvent({ isDestroyed: () => true, send: vi.fn() }, 'menu:command', 'new-project')).toBe(false);
    expect(sendEvent(null, 'menu:command', 'new-project')).toBe(false);
  });

  it('delivers only valid commands to the page and unsubscribes', () => {
    const handlers = new Map<string, (payload: unknown) => void>();
    const unsubscribed: string[] = [];
    const api = createBridgeApi(vi.fn(), (channel, handler) => {
      handlers.set(channel, handler);
      return () => unsubscribed.push(channel);
    });
    const listener = vi.fn();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const off = api.onMenuCommand(listener);
    handlers.get('menu:command')!('open-project');
    handlers.get('menu:command')!({ toString: () => 'open-project' });
    handlers.get('menu:command')!('eval');
    expect(listener.mock.calls).toEqual([['open-project']]);
    expect(errors).toHaveBeenCalledTimes(2);
    errors.mockRestore();
    off();
    expect(unsubscribed).toEqual(['menu:command']);
    // @ts-expect-error: a listener must be a function.
    expect(() => api.onMenuCommand('alert(1)')).toThrow(/expected a listener function/);
  });
});

describe('hub channel', () => {
  it('takes a repo, optional revision and token, and answers with a folder id (no path)', () => {
    expect(parseArgs('hub:download', [{ repo: 'karpathy/stories260K' }])).toEqual([{ repo: 'karpathy/stories260K' }]);
    expect(() => parseArgs('hub:download', [{ repo: 'a/b', dir: '/etc' }])).toThrow(IpcValidationError);
    expect(() => parseArgs('hub:download', [{ repo: '' }])).toThrow(IpcValidationError);
    expect(() => parseResult('hub:download', { ...FOLDER, path: '/home/me/models' })).toThrow(/invalid result/);
    expect(parseEventPayload('hub:progress', { repo: 'a/b', file: 'model.safetensors', bytes: 1, total: 2, filesDone: 0, filesTotal: 3 })).toBeTruthy();
    expect(() => parseEventPayload('hub:progress', { repo: 'a/b', file: 'x', bytes: 1, total: 2, filesDone: 0, filesTotal: 3, token: 'hf_x' })).toThrow(IpcValidationError);
  });
});
