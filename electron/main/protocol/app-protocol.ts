/**
 * `probescope-app://app/<path>`: serves the built renderer (one folder) with the
 * Content-Security-Policy and hardening headers on every response.
 */
import { realpath } from 'node:fs/promises';
import { resolveInside, serveFile, splitUrlPath, statusResponse } from './files.ts';
import type { ProtocolRequest } from './files.ts';
import { APP_HOST, APP_SCHEME } from './schemes.ts';

const URL_PATTERN = new RegExp(`^${APP_SCHEME}://([^/?#]*)([^?#]*)`, 'i');

export function appSecurityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
  };
}

export function createAppProtocolHandler(
  rendererDir: string,
  csp: string,
): (request: ProtocolRequest) => Promise<Response> {
  const headers = appSecurityHeaders(csp);
  let root: Promise<string> | undefined;
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return statusResponse(405, { ...headers, Allow: 'GET, HEAD' });
    }
    const match = URL_PATTERN.exec(request.url);
    if (!match || (match[1] ?? '').toLowerCase() !== APP_HOST) return statusResponse(404, headers);
    const rawPath = match[2] === '' || match[2] === '/' ? '/index.html' : (match[2] ?? '');
    const segments = splitUrlPath(rawPath);
    if (!segments) return statusResponse(400, headers);
    root ??= realpath(rendererDir);
    let realRoot: string;
    try {
      realRoot = await root;
    } catch {
      root = undefined;
      return statusResponse(404, headers);
    }
    const resolved = await resolveInside(realRoot, segments);
    if (!resolved.ok) return statusResponse(resolved.status, headers);
    return serveFile(resolved.realPath, request, headers);
  };
}
