#!/usr/bin/env node
// Compiles the desktop app into dist/ for electron-builder:
//   dist/electron/main.mjs     electron/main/main.ts (ESM, Node target, electron external)
//   dist/electron/preload.cjs  electron/preload/preload.ts (CommonJS: sandboxed preloads cannot be ESM)
//   dist/renderer/             vite build of renderer/ (renderer/vite.config.ts)
// esbuild comes with vite and tsx (it is not a direct dependency).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const common = {
  absWorkingDir: root,
  bundle: true,
  external: ['electron'],
  sourcemap: true,
  logLevel: 'warning',
  minify: true,
  legalComments: 'none',
};

await esbuild({
  ...common,
  entryPoints: ['electron/main/main.ts'],
  outfile: 'dist/electron/main.mjs',
  platform: 'node',
  format: 'esm',
  target: 'node22',
});
await esbuild({
  ...common,
  entryPoints: ['electron/preload/preload.ts'],
  outfile: 'dist/electron/preload.cjs',
  platform: 'browser',
  format: 'cjs',
  target: 'chrome140',
});
console.log('built dist/electron/main.mjs and dist/electron/preload.cjs');

if (process.argv.includes('--no-renderer')) process.exit(0);
const viteConfig = path.join(root, 'renderer', 'vite.config.ts');
if (!existsSync(viteConfig)) {
  console.error('electron/build.mjs: renderer/vite.config.ts does not exist yet; nothing to build for dist/renderer');
  process.exit(1);
}
const { build: viteBuild } = await import('vite');
await viteBuild({
  configFile: viteConfig,
  build: { outDir: path.join(root, 'dist', 'renderer'), emptyOutDir: true },
  logLevel: 'warn',
});
console.log('built dist/renderer');
