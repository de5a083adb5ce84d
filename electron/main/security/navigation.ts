/**
 * Navigation guard: the app window never navigates away from the page it was
 * loaded with, never opens new windows and never attaches <webview>s. Links to
 * https URLs on an allow-list are handed to the system browser instead.
 */

export interface PreventableEvent {
  preventDefault(): void;
}

/** The parts of Electron's WebContents used here. */
export interface GuardedContents {
  on(event: 'will-navigate', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-frame-navigate', listener: (event: PreventableEvent & { url: string }) => void): unknown;
  on(event: 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface NavigationPolicy {
  /** Host names (exact, lowercase) whose https URLs may open in the system browser. */
  readonly externalHosts: readonly string[];
  /** Opens a URL in the system browser (Electron's shell.openExternal). */
  readonly openExternal: (url: string) => Promise<void> | void;
  /** Called for every blocked navigation, window or webview. */
  readonly onBlocked?: (kind: 'navigate' | 'redirect' | 'window' | 'webview', url: string) => void;
}

/** https only, no credentials, default port, host exactly on the list. */
export function isAllowedExternalUrl(url: string, externalHosts: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === 'https:' &&
    parsed.username === '' &&
    parsed.password === '' &&
    parsed.port === '' &&
    externalHosts.includes(parsed.hostname.toLowerCase())
  );
}

export function installNavigationGuard(contents: GuardedContents, policy: NavigationPolicy): void {
  const openIfAllowed = (url: string): void => {
    if (isAllowedExternalUrl(url, policy.externalHosts)) {
      void Promise.resolve(policy.openExternal(url)).catch(() => undefined);
    }
  };
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    policy.onBlocked?.('navigate', url);
    openIfAllowed(url);
  });
  // Also fires for subframes; will-navigate above covers older code paths.
  contents.on('will-frame-navigate', (event) => {
    event.preventDefault();
    policy.onBlocked?.('navigate', event.url);
  });
  contents.on('will-redirect', (event, url) => {
    event.preventDefault();
    policy.onBlocked?.('redirect', url);
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    policy.onBlocked?.('webview', '');
  });
  contents.setWindowOpenHandler(({ url }) => {
    policy.onBlocked?.('window', url);
    openIfAllowed(url);
    return { action: 'deny' };
  });
}
