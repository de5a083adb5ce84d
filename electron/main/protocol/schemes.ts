/** Custom URL schemes of the desktop app. */

/** The renderer's own origin: `probescope-app://app/index.html`. */
export const APP_SCHEME = 'probescope-app';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Model files in folders the user opened: `probescope-model://<folderId>/<path>`. */
export const MODEL_SCHEME = 'probescope-model';

/** Same shape as Electron's CustomScheme; passed to protocol.registerSchemesAsPrivileged. */
export interface SchemeRegistration {
  scheme: string;
  privileges: {
    standard: boolean;
    secure: boolean;
    supportFetchAPI: boolean;
    corsEnabled: boolean;
    stream: boolean;
    bypassCSP: false;
    allowServiceWorkers: false;
  };
}

/**
 * Both schemes are standard (real origins, so CSP 'self' and relative URLs work)
 * and secure (WebGPU needs a secure context). Neither bypasses CSP.
 */
export const PRIVILEGED_SCHEMES: readonly SchemeRegistration[] = [
  {
    scheme: APP_SCHEME,
    privileges: {
      standard: true,
      secure: true,
      supportFetchAPI: true,
      corsEnabled: false,
      stream: false,
      bypassCSP: false,
      allowServiceWorkers: false,
    },
  },
  {
    scheme: MODEL_SCHEME,
    privileges: {
      standard: true,
      secure: true,
      supportFetchAPI: true,
      corsEnabled: true,
      stream: true,
      bypassCSP: false,
      allowServiceWorkers: false,
    },
  },
];

/** True for a URL on the app origin (parsed, not prefix-matched). */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.host === APP_HOST &&
    parsed.username === '' &&
    parsed.password === ''
  );
}
