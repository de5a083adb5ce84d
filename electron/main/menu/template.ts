/**
 * The application menu as a plain template (Menu.buildFromTemplate takes it in main.ts), so
 * its structure and every item's effect are tested in Node. Items that belong to the page (open
 * a model, projects, figure export) do one thing: send a validated `menu:command` to the page,
 * which owns the state and does the work; everything else is a standard Electron role.
 */
import type { MenuCommand } from '../ipc/contract.ts';

/** The Electron roles used here (a subset of MenuItemConstructorOptions['role']). */
export type MenuRole =
  | 'appMenu' | 'about' | 'services' | 'hide' | 'hideOthers' | 'unhide' | 'quit' | 'close'
  | 'undo' | 'redo' | 'cut' | 'copy' | 'paste' | 'selectAll'
  | 'resetZoom' | 'zoomIn' | 'zoomOut' | 'togglefullscreen' | 'reload' | 'toggleDevTools'
  | 'minimize' | 'zoom' | 'front' | 'window';

/** Structurally an Electron.MenuItemConstructorOptions. */
export interface MenuItemTemplate {
  readonly label?: string;
  readonly role?: MenuRole;
  readonly type?: 'separator';
  readonly accelerator?: string;
  readonly id?: string;
  readonly click?: () => void;
  readonly submenu?: MenuItemTemplate[];
}

export interface MenuOptions {
  readonly platform: NodeJS.Platform;
  readonly appName: string;
  /** Delivers a command to the page (main.ts: sendEvent to the main window). */
  readonly send: (command: MenuCommand) => void;
  /** Adds Reload and Developer Tools (development builds only). */
  readonly development?: boolean;
}

const separator: MenuItemTemplate = { type: 'separator' };

/** The page commands, with their labels and shortcuts. */
export const COMMAND_ITEMS: ReadonlyArray<{ command: MenuCommand; label: string; accelerator: string }> = [
  { command: 'open-model', label: 'Open Model Folder…', accelerator: 'CmdOrCtrl+O' },
  { command: 'new-project', label: 'New Project', accelerator: 'CmdOrCtrl+N' },
  { command: 'open-project', label: 'Open Project File…', accelerator: 'CmdOrCtrl+Shift+O' },
  { command: 'export-project', label: 'Export Project…', accelerator: 'CmdOrCtrl+E' },
  { command: 'export-figure', label: 'Export Figure…', accelerator: 'CmdOrCtrl+Shift+E' },
];

function commandItem(command: MenuCommand, send: (c: MenuCommand) => void): MenuItemTemplate {
  const item = COMMAND_ITEMS.find((i) => i.command === command)!;
  return { id: command, label: item.label, accelerator: item.accelerator, click: () => send(command) };
}

export function buildMenuTemplate(options: MenuOptions): MenuItemTemplate[] {
  const mac = options.platform === 'darwin';
  const cmd = (c: MenuCommand) => commandItem(c, options.send);
  const appMenu: MenuItemTemplate = {
    label: options.appName,
    submenu: [{ role: 'about' }, separator, { role: 'services' }, separator, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, separator, { role: 'quit' }],
  };
  const file: MenuItemTemplate = {
    label: 'File',
    submenu: [
      cmd('open-model'),
      separator,
      cmd('new-project'),
      cmd('open-project'),
      cmd('export-project'),
      separator,
      cmd('export-figure'),
      separator,
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const edit: MenuItemTemplate = {
    label: 'Edit',
    submenu: [{ role: 'undo' }, { role: 'redo' }, separator, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
  };
  const view: MenuItemTemplate = {
    label: 'View',
    submenu: [
      ...(options.development ? [{ role: 'reload' } as const, { role: 'toggleDevTools' } as const, separator] : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  };
  const windowMenu: MenuItemTemplate = {
    label: 'Window',
    submenu: mac ? [{ role: 'minimize' }, { role: 'zoom' }, separator, { role: 'front' }] : [{ role: 'minimize' }, { role: 'close' }],
  };
  return [...(mac ? [appMenu] : []), file, edit, view, windowMenu];
}
