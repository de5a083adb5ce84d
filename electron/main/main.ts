/**
 * Electron main process: wiring only. Every policy lives in a module that
 * takes its Electron dependencies as parameters and is tested in Node.
 *
 * Layout after `npm run electron:build` (see electron/build.mjs):
 *   dist/electron/main.mjs      this file, bundled
 *   dist/electron/preload.cjs   electron/preload/preload.ts, bundled
 *   dist/renderer/              the renderer's vite build
 * The built-in model is models/stories260K in the repository, and
 * resources/models/stories260K in a packaged app (electron-builder.yml).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, Menu, app, dialog, ipcMain, protocol, session, shell } from 'electron';
import { openProjectFile, saveExport } from './dialogs/files.ts';
import type { DialogLike } from './dialogs/files.ts';
import { downloadModel } from '../../analysis/hub/download.ts';
import { sendEvent } from './ipc/events.ts';
import { registerIpcHandlers } from './ipc/register.ts';
import { buildMenuTemplate } from './menu/template.ts';
import { createAppProtocolHandler } from './protocol/app-protocol.ts';
import { FolderRegistry, createModelProtocolHandler } from './protocol/model-protocol.ts';
import { APP_ENTRY_URL, APP_ORIGIN, APP_SCHEME, MODEL_SCHEME, PRIVILEGED_SCHEMES } from './protocol/schemes.ts';
import { buildCsp, installCspHeader } from './security/csp.ts';
import { installNavigationGuard } from './security/navigation.ts';
import { installPermissionPolicy } from './security/permissions.ts';
import { openMainWindow } from './window.ts';

/** Sites the app may open in the system browser. */
const EXTERNAL_HOSTS = ['huggingface.co', 'github.com'];
/** Fixed id of the model that ships with the app. */
const BUILTIN_MODEL_ID = 'builtin-stories260k';

const here = path.dirname(fileURLToPath(import.meta.url));
const preloadPath = path.join(here, 'preload.cjs');
const rendererDir = path.join(here, '..', 'renderer');
const builtinModelDir = app.isPackaged
  ? path.join(process.resourcesPath, 'models', 'stories260K')
  : path.join(here, '..', '..', 'models', 'stories260K');

// Must happen before 'ready'.
app.enableSandbox();
protocol.registerSchemesAsPrivileged(PRIVILEGED_SCHEMES.map((s) => ({ scheme: s.scheme, privileges: { ...s.privileges } })));

/** A second launch hands over to the running instance (see 'second-instance') and quits. */
const isPrimaryInstance = app.requestSingleInstanceLock();
if (!isPrimaryInstance) app.quit();

const folders = new FolderRegistry();
const csp = buildCsp();
let mainWindow: BrowserWindow | null = null;

app.on('web-contents-created', (_event, contents) => {
  installNavigationGuard(contents, {
    externalHosts: EXTERNAL_HOSTS,
    openExternal: (url) => shell.openExternal(url),
    onBlocked: (kind, url) => console.warn(`[security] blocked ${kind}${url ? `: ${url}` : ''}`),
  });
});

async function createWindow(): Promise<void> {
  mainWindow = await openMainWindow((options) => new BrowserWindow(options), preloadPath, APP_ENTRY_URL);
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
}

app.on('second-instance', () => {
  if (mainWindow) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  }
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('activate', () => {
  if (BrowserWindow.getAllWindows().length === 0) void createWindow();
});

app
  .whenReady()
  .then(async () => {
    if (!isPrimaryInstance) return;
    const ses = session.defaultSession;
    installCspHeader(ses.webRequest, csp);
    installPermissionPolicy(ses, {
      onDenied: (permission, kind) => console.warn(`[security] denied permission ${kind}: ${permission}`),
    });
    protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererDir, csp));
    protocol.handle(MODEL_SCHEME, createModelProtocolHandler(folders, { allowedOrigins: [APP_ORIGIN] }));

    await folders
      .add(builtinModelDir, { folderId: BUILTIN_MODEL_ID, name: 'stories260K' })
      .catch((err: unknown) => console.warn(`[models] built-in model unavailable: ${String(err)}`));

    // Dialogs are modal to the main window when there is one.
    const dialogs: DialogLike = {
      showOpenDialog: (options) => (mainWindow ? dialog.showOpenDialog(mainWindow, options) : dialog.showOpenDialog(options)),
      showSaveDialog: (options) => (mainWindow ? dialog.showSaveDialog(mainWindow, options) : dialog.showSaveDialog(options)),
    };
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        buildMenuTemplate({
          platform: process.platform,
          appName: app.name,
          development: !app.isPackaged,
          send: (command) => {
            if (!sendEvent(mainWindow?.webContents, 'menu:command', command)) console.warn(`[menu] no window for ${command}`);
          },
        }),
      ),
    );

    registerIpcHandlers(ipcMain, {
      'dialog:openModelFolder': async () => {
        const options: Electron.OpenDialogOptions = { title: 'Open model folder', properties: ['openDirectory'] };
        const picked = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
        const folder = picked.canceled ? undefined : picked.filePaths[0];
        return folder === undefined ? null : folders.add(folder);
      },
      'model:forgetFolder': (folderId) => folderId !== BUILTIN_MODEL_ID && folders.remove(folderId),
      'file:openProject': () => openProjectFile(dialogs),
      'file:saveExport': (args) => saveExport(dialogs, args, app.getPath('documents')),
      'hub:download': async ({ repo, revision, token }) => {
        const result = await downloadModel({
          repo,
          revision,
          token: token ?? (process.env.HF_TOKEN || undefined),
          endpoint: process.env.HF_ENDPOINT || undefined,
          modelsDir: path.join(app.getPath('userData'), 'models'),
          onProgress: (p) =>
            sendEvent(mainWindow?.webContents, 'hub:progress', { repo, file: p.file, bytes: p.bytes, total: p.total, filesDone: p.filesDone, filesTotal: p.filesTotal }),
        });
        return folders.add(result.dir, { name: repo });
      },
    });

    await createWindow();
  })
  .catch((err: unknown) => {
    console.error(err);
    app.exit(1);
  });
