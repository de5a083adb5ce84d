/**
 * The renderer's Content-Security-Policy and the session hook that puts it on
 * every response. Plain Node; the session is passed in.
 */
import { RENDERER_CSP } from '../../../renderer/build/csp.ts';

export type CspDirectives = Readonly<Record<string, readonly string[]>>;

/**
 * The renderer's one policy (renderer/build/csp.ts, also the web build's <meta> tag) plus what
 * only a header can say: no framing. Strict: only the app's own scripts (no eval, no inline
 * script), module workers from the app or blob: URLs, inline styles only because Plotly sets
 * them, network access only to the app and the model protocol, no plugins, no <base>, no form
 * submissions.
 */
export const DEFAULT_CSP: CspDirectives = { ...RENDERER_CSP, 'frame-ancestors': ["'none'"] };

const DIRECTIVE_NAME = /^[a-z-]+$/;
const SOURCE = /^[^\s;,]+$/;

/** Serialises directives in insertion order; rejects names or sources that could inject directives. */
export function buildCsp(directives: CspDirectives = DEFAULT_CSP): string {
  const parts: string[] = [];
  for (const [name, sources] of Object.entries(directives)) {
    if (!DIRECTIVE_NAME.test(name)) throw new Error(`invalid CSP directive name: ${JSON.stringify(name)}`);
    if (sources.length === 0) throw new Error(`CSP directive ${name} has no sources`);
    for (const source of sources) {
      if (!SOURCE.test(source)) throw new Error(`invalid CSP source in ${name}: ${JSON.stringify(source)}`);
    }
    parts.push(`${name} ${sources.join(' ')}`);
  }
  return parts.join('; ');
}

export type ResponseHeaders = Record<string, string | string[]>;

/** The part of Electron's session.webRequest used here. */
export interface HeaderHookTarget {
  onHeadersReceived(
    listener: (
      details: { responseHeaders?: Record<string, string[]> },
      callback: (response: { responseHeaders?: ResponseHeaders }) => void,
    ) => void,
  ): void;
}

/** Returns a copy of `headers` with any existing CSP header (any case) replaced by `policy`. */
export function withCsp(headers: Record<string, string[]> | undefined, policy: string): ResponseHeaders {
  const out: ResponseHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'content-security-policy' || lower === 'content-security-policy-report-only') continue;
    out[name] = value;
  }
  out['Content-Security-Policy'] = [policy];
  return out;
}

/** Installs `policy` on every response the session receives. */
export function installCspHeader(webRequest: HeaderHookTarget, policy: string): void {
  webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders, policy) });
  });
}
