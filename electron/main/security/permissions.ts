/**
 * Permission policy: every permission request and check is denied unless the
 * caller explicitly allows that permission (the app allows none).
 */

/** The parts of Electron's Session used here. */
export interface PermissionSession {
  setPermissionRequestHandler(
    handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
}

export interface PermissionPolicyOptions {
  /** Permissions to grant; empty by default. */
  readonly allow?: readonly string[];
  /** Called for each denied request or check, e.g. for logging. */
  readonly onDenied?: (permission: string, kind: 'request' | 'check') => void;
}

export function installPermissionPolicy(session: PermissionSession, options: PermissionPolicyOptions = {}): void {
  const allow = new Set(options.allow ?? []);
  const decide = (permission: string, kind: 'request' | 'check'): boolean => {
    if (allow.has(permission)) return true;
    options.onDenied?.(permission, kind);
    return false;
  };
  session.setPermissionRequestHandler((_webContents, permission, callback) => {
    callback(decide(permission, 'request'));
  });
  session.setPermissionCheckHandler((_webContents, permission) => decide(permission, 'check'));
  // WebUSB / WebHID / Web Serial device access.
  session.setDevicePermissionHandler(() => false);
}
