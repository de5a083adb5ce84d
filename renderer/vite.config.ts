/**
 * The renderer's build: one React app for the web (`npm run web`: build, then serve the build on
 * localhost:$PORT, default 5173) and for Electron (electron/build.mjs builds it into
 * dist/renderer). `base: './'` keeps every URL relative, so the same files work at
 * http://localhost:5173/ and at probescope-app://app/.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';
import { builtinModels } from './build/builtin-models.ts';
import { cspMetaTag } from './build/csp.ts';

const rendererDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(rendererDir, '..');
const port = Number(process.env.PORT ?? 5173);

/** The CSP <meta> tag, production build only (the dev server injects inline scripts). */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'probescope:csp',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: (html) => html.replace('<meta charset="UTF-8" />', `<meta charset="UTF-8" />\n    ${cspMetaTag()}`),
    },
  };
}

/**
 * Cross-origin isolation: SharedArrayBuffer, hence the fast CPU backend's GEMM worker threads on
 * a shared WebAssembly memory (gpu/wasm). Everything the app loads is same-origin.
 */
const crossOriginIsolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: rendererDir,
  base: './',
  // No SPA fallback: a missing file must be a 404, not index.html (the model loader probes files).
  appType: 'mpa',
  publicDir: false,
  plugins: [react(), builtinModels({ modelsDir: path.join(repoRoot, 'models'), names: ['stories260K', 'stories260K-saes', 'stories260K-transcoders'] }), contentSecurityPolicy()],
  build: {
    outDir: path.join(repoRoot, 'dist', 'web'),
    emptyOutDir: true,
    target: 'es2022',
    // Plotly is one 4.8 MB chunk, loaded lazily with the first figure.
    chunkSizeWarningLimit: 6000,
  },
  worker: { format: 'es' },
  server: { port, strictPort: true, open: false, headers: crossOriginIsolation },
  preview: { port, strictPort: true, open: false, headers: crossOriginIsolation },
});
