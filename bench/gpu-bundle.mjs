#!/usr/bin/env node
// Builds bench/out/probescope-gpu-bench.tar.xz: everything bench/gpu-machine.sh needs on a bare
// Linux x86-64 machine with an NVIDIA driver but no Node, npm or Vulkan loader:
//   node                         this machine's Node binary (x86-64 Linux)
//   lib/                         libstdc++ / libgcc_s it links against, and libvulkan.so.1 from
//                                Debian's libvulkan1 (apt-get download; nothing installed)
//   node_modules/webgpu/         the npm `webgpu` package with only its linux-x64 dawn.node
//   bench.mjs                    bench/gpu-entry.ts bundled by esbuild, WGSL inlined
// Usage: node bench/gpu-bundle.mjs   (prints the bundle's path and size; fails above 64 MiB)
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'bench', 'out');
const stage = mkdtempSync(join(tmpdir(), 'probescope-gpu-bundle-'));
const LIMIT = 64 * 2 ** 20;

// WGSL is imported with Vite's `?raw`; inline it as a string the same way.
const wgslRaw = {
  name: 'wgsl-raw',
  setup(b) {
    b.onResolve({ filter: /\.wgsl\?raw$/ }, (args) => ({ path: join(args.resolveDir, args.path.replace(/\?raw$/, '')), namespace: 'wgsl' }));
    b.onLoad({ filter: /.*/, namespace: 'wgsl' }, (args) => ({ contents: `export default ${JSON.stringify(readFileSync(args.path, 'utf8'))};`, loader: 'js' }));
  },
};

await build({
  entryPoints: [join(root, 'bench', 'gpu-entry.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: join(stage, 'bench.mjs'),
  external: ['webgpu'],
  plugins: [wgslRaw],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});

const webgpu = join(root, 'node_modules', 'webgpu');
const webgpuOut = join(stage, 'node_modules', 'webgpu');
mkdirSync(join(webgpuOut, 'dist', 'linux-x64'), { recursive: true });
for (const f of ['index.js', 'package.json', 'LICENSE.md']) copyFileSync(join(webgpu, f), join(webgpuOut, f));
copyFileSync(join(webgpu, 'dist', 'linux-x64', 'dawn.node'), join(webgpuOut, 'dist', 'linux-x64', 'dawn.node'));
copyFileSync(process.execPath, join(stage, 'node'));

const lib = join(stage, 'lib');
mkdirSync(lib);
for (const name of ['libstdc++.so.6', 'libgcc_s.so.1']) {
  const found = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu'].map((d) => join(d, name)).find((p) => { try { return statSync(p).isFile(); } catch { return false; } });
  if (found) copyFileSync(realpathSync(found), join(lib, name));
}
const debDir = mkdtempSync(join(tmpdir(), 'probescope-vulkan-'));
execFileSync('apt-get', ['download', 'libvulkan1'], { cwd: debDir, stdio: 'inherit' });
const deb = readdirSync(debDir).find((f) => f.endsWith('.deb'));
if (!deb) throw new Error('apt-get download libvulkan1 produced no .deb (run apt-get update first)');
execFileSync('dpkg-deb', ['-x', join(debDir, deb), join(debDir, 'x')]);
const vulkanDir = join(debDir, 'x', 'usr', 'lib', 'x86_64-linux-gnu');
const vulkan = readdirSync(vulkanDir).find((f) => /^libvulkan\.so\.1\.\d/.test(f));
if (!vulkan) throw new Error(`no libvulkan.so.1.* in ${deb}`);
copyFileSync(join(vulkanDir, vulkan), join(lib, 'libvulkan.so.1'));
cpSync(join(root, 'bench', 'gpu-machine.sh'), join(stage, 'gpu-machine.sh'));
// gpu/webgpu/node.ts registers its `?raw` loader hooks relative to the (bundled) module; they are
// inert here since the WGSL is inlined, but must exist.
copyFileSync(join(root, 'gpu', 'webgpu', 'wgsl-raw-hooks.mjs'), join(stage, 'wgsl-raw-hooks.mjs'));

mkdirSync(outDir, { recursive: true });
const tarball = join(outDir, 'probescope-gpu-bench.tar.xz');
execFileSync('tar', ['-C', stage, '-cf', tarball, '-I', 'xz -T0 -6', '.']);
rmSync(stage, { recursive: true, force: true });
rmSync(debDir, { recursive: true, force: true });
const size = statSync(tarball).size;
console.log(`${tarball} ${(size / 2 ** 20).toFixed(1)} MiB`);
if (size > LIMIT) throw new Error(`bundle is ${(size / 2 ** 20).toFixed(1)} MiB, over the 64 MiB limit`);
