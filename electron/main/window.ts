/**
 * The main window's options and loading sequence. Electron's BrowserWindow is
 * passed in by main.ts so this module runs in plain Node tests.
 */
import path from 'node:path';
import { isAppUrl } from './protocol/schemes.ts';

/** Every security-relevant webPreferences flag, set explicitly. */
export interface SecureWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  experimentalFeatures: false;
  navigateOnDragDrop: false;
  safeDialogs: true;
  spellcheck: false;
}

export interface MainWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  title: string;
  show: false;
  backgroundColor: string;
  webPreferences: SecureWebPreferences;
}

export function secureWebPreferences(preloadPath: string): SecureWebPreferences {
  if (!path.isAbsolute(preloadPath)) throw new Error(`preload path must be absolute: ${preloadPath}`);
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

export function mainWindowOptions(preloadPath: string): MainWindowOptions {
  return {
    width: 1400,
    height: 900,
    minWidth: 800,
    minHeight: 560,
    title: 'Probescope',
    show: false,
    backgroundColor: '#ffffff',
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/** The parts of Electron's BrowserWindow used here. */
export interface WindowLike {
  once(event: 'ready-to-show', listener: () => void): unknown;
  show(): void;
  loadURL(url: string): Promise<void>;
}

/**
 * Creates the window, loads `url` (which must be on the app origin) and shows
 * the window once it has painted.
 */
export async function openMainWindow<W extends WindowLike>(
  create: (options: MainWindowOptions) => W,
  preloadPath: string,
  url: string,
): Promise<W> {
  if (!isAppUrl(url)) throw new Error(`refusing to load a non-app URL in the main window: ${url}`);
  const win = create(mainWindowOptions(preloadPath));
  win.once('ready-to-show', () => win.show());
  await win.loadURL(url);
  return win;
}
