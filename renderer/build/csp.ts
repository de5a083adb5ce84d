/**
 * The renderer's Content-Security-Policy, delivered as a <meta> tag in the production build
 * (the dev server needs inline scripts for hot reload, so it gets none). Compatible with the
 * Electron shell's header policy: only the app's own scripts, module workers from the app or
 * blob: URLs, inline styles only because Plotly sets them, images from data:/blob: because
 * Plotly's PNG export draws its SVG through an <img>. `frame-ancestors` is header-only, so it
 * is not here.
 */
export const RENDERER_CSP: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'worker-src': ["'self'", 'blob:'],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'", 'probescope-model:'],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

export function cspString(directives = RENDERER_CSP): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

export function cspMetaTag(directives = RENDERER_CSP): string {
  return `<meta http-equiv="Content-Security-Policy" content="${cspString(directives)}" />`;
}
