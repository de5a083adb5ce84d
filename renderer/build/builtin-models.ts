/**
 * Ships the built-in model (models/stories260K) and its dictionaries with the app: copied into the
 * build as static assets at `models/<name>/<path>`, subfolders kept (vite preview and Electron's
 * app protocol serve them with HTTP Range), and served from the repository folder by the dev server. The worker reads them
 * through `HttpSource` with one Range request per tensor, exactly like any remote model.
 */
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';
import { parseRange } from './range.ts';

export interface BuiltinModelsOptions {
  /** Absolute path of the repository's models/ folder. */
  readonly modelsDir: string;
  /** Folder names under modelsDir to ship (with their subfolders), e.g. ['stories260K', 'stories260K-saes']. */
  readonly names: readonly string[];
}

/** Files under dir, as paths relative to it ("cfg.json", "blocks.0.hook_mlp_out/cfg.json"); dot-files skipped. */
function filesOf(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .flatMap((e) => (e.isDirectory() ? filesOf(dir, `${prefix}${e.name}/`) : e.isFile() ? [`${prefix}${e.name}`] : []))
    .sort();
}

/** Virtual module with each built-in model's file list, so the app never probes for files. */
export const BUILTIN_MODELS_MODULE = 'virtual:probescope/builtin-models';
const RESOLVED_ID = `\0${BUILTIN_MODELS_MODULE}`;

export function builtinModels(options: BuiltinModelsOptions): Plugin {
  return {
    name: 'probescope:builtin-models',
    resolveId(id) {
      return id === BUILTIN_MODELS_MODULE ? RESOLVED_ID : undefined;
    },
    load(id) {
      if (id !== RESOLVED_ID) return undefined;
      const files = Object.fromEntries(options.names.map((name) => [name, filesOf(path.join(options.modelsDir, name))]));
      return `export const BUILTIN_MODEL_FILES = ${JSON.stringify(files)};`;
    },
    generateBundle() {
      for (const name of options.names) {
        const dir = path.join(options.modelsDir, name);
        for (const file of filesOf(dir)) {
          this.emitFile({ type: 'asset', fileName: `models/${name}/${file}`, source: readFileSync(path.join(dir, file)) });
        }
      }
    },
    configureServer(server) {
      // Dev only: the production build contains the files and vite preview serves them.
      server.middlewares.use('/models', (req, res, next) => {
        const parts = decodeURIComponent((req.url ?? '').split('?')[0]).split('/').filter(Boolean);
        if (parts.length < 2 || !options.names.includes(parts[0]) || parts.some((p) => p.startsWith('.'))) return next();
        const file = path.join(options.modelsDir, ...parts);
        let size: number;
        try {
          size = statSync(file).size;
        } catch {
          return next();
        }
        res.setHeader('Accept-Ranges', 'bytes');
        const range = parseRange(req.headers.range, size);
        if (range === 'unsatisfiable') {
          res.statusCode = 416;
          res.setHeader('Content-Range', `bytes */${size}`);
          return res.end();
        }
        const [start, end] = range ?? [0, size - 1];
        if (range) {
          res.statusCode = 206;
          res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
        }
        res.setHeader('Content-Length', String(Math.max(0, end - start + 1)));
        if (size === 0) return res.end();
        createReadStream(file, { start, end }).pipe(res);
      });
    },
  };
}
