import { describe, expect, it } from 'vitest';
import { RENDERER_CSP, cspString } from '../../../renderer/build/csp.ts';
import { MODEL_SCHEME } from '../protocol/schemes.ts';
import { DEFAULT_CSP, buildCsp, installCspHeader, withCsp } from './csp.ts';
import type { HeaderHookTarget, ResponseHeaders } from './csp.ts';

describe('buildCsp', () => {
  it('produces the strict default policy', () => {
    expect(buildCsp()).toBe(
      [
        "default-src 'self'",
        "script-src 'self'",
        "worker-src 'self' blob:",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self' probescope-model:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
  });

  it('is the web build\'s policy (one definition) plus the header-only frame-ancestors, and lets the page reach the model protocol', () => {
    expect(buildCsp()).toBe(`${cspString(RENDERER_CSP)}; frame-ancestors 'none'`);
    expect(DEFAULT_CSP['connect-src']).toContain(`${MODEL_SCHEME}:`);
  });

  it('never allows eval or inline scripts', () => {
    const policy = buildCsp(DEFAULT_CSP);
    const scriptSrc = policy.split('; ').find((d) => d.startsWith('script-src '));
    expect(scriptSrc).toBe("script-src 'self'");
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).not.toMatch(/\*/);
  });

  it('rejects sources or names that would inject directives', () => {
    expect(() => buildCsp({ 'script-src': ["'self'; script-src *"] })).toThrow(/invalid CSP source/);
    expect(() => buildCsp({ 'script-src': ["'self',x"] })).toThrow(/invalid CSP source/);
    expect(() => buildCsp({ 'img-src': ['data:\nX-Evil: 1'] })).toThrow(/invalid CSP source/);
    expect(() => buildCsp({ 'script-src x; y': ["'self'"] })).toThrow(/invalid CSP directive/);
    expect(() => buildCsp({ 'script-src': [] })).toThrow(/no sources/);
  });
});

describe('installCspHeader', () => {
  it('replaces any CSP header, in any case, on every response', () => {
    let listener: Parameters<HeaderHookTarget['onHeadersReceived']>[0] | undefined;
    installCspHeader({ onHeadersReceived: (l) => (listener = l) }, "default-src 'self'");
    expect(listener).toBeDefined();
    let answered: ResponseHeaders | undefined;
    listener?.(
      {
        responseHeaders: {
          'content-type': ['text/html'],
          'content-security-policy': ['default-src *'],
          'Content-Security-Policy-Report-Only': ['default-src *'],
        },
      },
      (r) => (answered = r.responseHeaders),
    );
    expect(answered).toEqual({ 'content-type': ['text/html'], 'Content-Security-Policy': ["default-src 'self'"] });
  });

  it('adds the header when the response had none', () => {
    expect(withCsp(undefined, 'x')).toEqual({ 'Content-Security-Policy': ['x'] });
  });
});
