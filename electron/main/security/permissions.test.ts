import { describe, expect, it, vi } from 'vitest';
import { installPermissionPolicy } from './permissions.ts';
import type { PermissionSession } from './permissions.ts';

type RequestHandler = Parameters<PermissionSession['setPermissionRequestHandler']>[0];
type CheckHandler = Parameters<PermissionSession['setPermissionCheckHandler']>[0];
type DeviceHandler = Parameters<PermissionSession['setDevicePermissionHandler']>[0];

function fakeSession() {
  const s: { request?: RequestHandler; check?: CheckHandler; device?: DeviceHandler } = {};
  const session: PermissionSession = {
    setPermissionRequestHandler: (h) => (s.request = h),
    setPermissionCheckHandler: (h) => (s.check = h),
    setDevicePermissionHandler: (h) => (s.device = h),
  };
  return { session, s };
}

const PERMISSIONS = ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'usb', 'serial', 'unknown'];

describe('installPermissionPolicy', () => {
  it('denies every permission request and check by default', () => {
    const { session, s } = fakeSession();
    const onDenied = vi.fn();
    installPermissionPolicy(session, { onDenied });
    for (const permission of PERMISSIONS) {
      const callback = vi.fn();
      s.request?.({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
      expect(s.check?.({}, permission)).toBe(false);
    }
    expect(s.device?.({ deviceType: 'usb' })).toBe(false);
    expect(onDenied).toHaveBeenCalledTimes(2 * PERMISSIONS.length);
  });

  it('grants only what is explicitly allowed', () => {
    const { session, s } = fakeSession();
    installPermissionPolicy(session, { allow: ['fullscreen'] });
    const granted = vi.fn();
    s.request?.({}, 'fullscreen', granted);
    expect(granted).toHaveBeenCalledWith(true);
    expect(s.check?.({}, 'fullscreen')).toBe(true);
    expect(s.check?.({}, 'media')).toBe(false);
  });
});
