import { describe, expect, it, vi } from 'vitest';
import { MENU_COMMANDS } from '../ipc/contract.ts';
import { buildMenuTemplate } from './template.ts';
import type { MenuItemTemplate } from './template.ts';

function flatten(items: readonly MenuItemTemplate[]): MenuItemTemplate[] {
  return items.flatMap((i) => [i, ...flatten(i.submenu ?? [])]);
}

describe('buildMenuTemplate', () => {
  it('has File items for every page command, each sending exactly its command', () => {
    const send = vi.fn();
    const items = flatten(buildMenuTemplate({ platform: 'linux', appName: 'Probescope', send }));
    const commandItems = items.filter((i) => i.click);
    expect(commandItems.map((i) => i.id)).toEqual([...MENU_COMMANDS]);
    for (const item of commandItems) {
      send.mockClear();
      item.click!();
      expect(send.mock.calls).toEqual([[item.id]]);
    }
    expect(commandItems.map((i) => i.label)).toEqual(['Open Model Folder…', 'New Project', 'Open Project File…', 'Export Project…', 'Export Figure…']);
    expect(new Set(commandItems.map((i) => i.accelerator)).size).toBe(MENU_COMMANDS.length);
  });

  it('uses the macOS app menu on darwin and Quit in File elsewhere', () => {
    const send = vi.fn();
    const mac = buildMenuTemplate({ platform: 'darwin', appName: 'Probescope', send });
    expect(mac.map((m) => m.label)).toEqual(['Probescope', 'File', 'Edit', 'View', 'Window']);
    expect(flatten(mac[0].submenu!).some((i) => i.role === 'quit')).toBe(true);
    const linux = buildMenuTemplate({ platform: 'linux', appName: 'Probescope', send });
    expect(linux.map((m) => m.label)).toEqual(['File', 'Edit', 'View', 'Window']);
    expect(linux[0].submenu!.at(-1)).toEqual({ role: 'quit' });
  });

  it('offers Reload and Developer Tools only in development', () => {
    const roles = (development: boolean) => flatten(buildMenuTemplate({ platform: 'linux', appName: 'P', send: vi.fn(), development })).map((i) => i.role);
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(false)).not.toContain('reload');
    expect(roles(true)).toContain('toggleDevTools');
  });
});
