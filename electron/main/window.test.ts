import { describe, expect, it, vi } from 'vitest';
import { PRIVILEGED_SCHEMES, isAppUrl } from './protocol/schemes.ts';
import { mainWindowOptions, openMainWindow } from './window.ts';
import type { MainWindowOptions, WindowLike } from './window.ts';

const PRELOAD = '/opt/probescope/dist/electron/preload.cjs';

describe('main window options', () => {
  it('turns on every isolation flag', () => {
    const { webPreferences } = mainWindowOptions(PRELOAD);
    expect(webPreferences).toMatchObject({
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
  });

  it('requires an absolute preload path', () => {
    expect(() => mainWindowOptions('preload.cjs')).toThrow(/absolute/);
  });
});

class FakeWindow implements WindowLike {
  readonly events = new Map<string, () => void>();
  readonly loaded: string[] = [];
  shown = false;
  constructor(readonly options: MainWindowOptions) {}
  once(event: string, listener: () => void): this {
    this.events.set(event, listener);
    return this;
  }
  show(): void {
    this.shown = true;
  }
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    this.events.get('ready-to-show')?.();
  }
}

describe('openMainWindow', () => {
  it('loads the app entry and shows the window once painted', async () => {
    const create = vi.fn((options: MainWindowOptions) => new FakeWindow(options));
    const win = await openMainWindow(create, PRELOAD, 'probescope-app://app/index.html');
    expect(win.loaded).toEqual(['probescope-app://app/index.html']);
    expect(win.shown).toBe(true);
    expect(win.options.show).toBe(false);
  });

  it.each(['https://example.com/', 'file:///tmp/index.html', 'http://localhost:5173/', 'probescope-app://evil/index.html'])(
    'refuses to load %s',
    async (url) => {
      const create = vi.fn((options: MainWindowOptions) => new FakeWindow(options));
      await expect(openMainWindow(create, PRELOAD, url)).rejects.toThrow(/non-app URL/);
      expect(create).not.toHaveBeenCalled();
    },
  );
});

describe('schemes', () => {
  it('never bypass CSP or allow service workers', () => {
    for (const { privileges } of PRIVILEGED_SCHEMES) {
      expect(privileges.bypassCSP).toBe(false);
      expect(privileges.allowServiceWorkers).toBe(false);
      expect(privileges.standard && privileges.secure).toBe(true);
    }
  });

  it('isAppUrl parses rather than prefix-matches', () => {
    expect(isAppUrl('probescope-app://app/index.html')).toBe(true);
    expect(isAppUrl('probescope-app://app.evil/index.html')).toBe(false);
    expect(isAppUrl('probescope-app://apple/index.html')).toBe(false);
    expect(isAppUrl('probescope-model://app/index.html')).toBe(false);
  });
});
