/**
 * probescope notebook run FILE --out DIR [--backend auto|cpu|cpu-ref|webgpu] [--cache DIR] [--no-images] [--scale N] [--json]
 * probescope notebook validate FILE [--json]
 *
 * `run` executes every cell (notebooks/runner.ts), printing progress on stderr, and writes the
 * report, results and figures to DIR (notebooks/node/write-outputs.ts). The first failing cell
 * stops the run with a message naming it and exit code 1. `validate` checks a notebook without
 * running it: exit 0 when valid, 1 with one line per problem otherwise.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MemoryCache } from '../../notebooks/cache.ts';
import type { ResultCache } from '../../notebooks/cache.ts';
import { DiskCache } from '../../notebooks/node/disk-cache.ts';
import { nodeModelHost } from '../../notebooks/node/model-host.ts';
import { writeRunOutputs } from '../../notebooks/node/write-outputs.ts';
import { runNotebook } from '../../notebooks/runner.ts';
import type { RunEvent } from '../../notebooks/runner.ts';
import type { NotebookPlan } from '../../notebooks/validate.ts';
import { NotebookValidationError, parseNotebookText } from '../../notebooks/validate.ts';
import { oneOf, parseNumber, UsageError } from '../args.ts';
import { BACKEND_NAMES, openBackend } from '../open.ts';
import { printJson } from '../output.ts';

export const NOTEBOOK_USAGE = `probescope notebook run FILE --out DIR [--backend auto|cpu|cpu-ref|webgpu] [--cache DIR] [--no-images] [--scale N] [--json]
probescope notebook validate FILE [--json]`;

async function readNotebook(file: string | undefined): Promise<{ plan: NotebookPlan; path: string }> {
  if (!file) throw new UsageError('give the notebook file: probescope notebook run|validate FILE');
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return { plan: parseNotebookText(text), path };
}

function progressLine(e: RunEvent): string | null {
  if (e.type === 'cell-start') return null;
  if (e.type === 'cell-progress') return `  ${e.cell}: ${Math.round(e.fraction * 100)}%${e.message ? ` ${e.message}` : ''}`;
  return `[${e.index + 1}] ${e.cell} ${e.cached ? 'cached' : `${(e.ms / 1000).toFixed(2)} s`}`;
}

async function runSubcommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      backend: { type: 'string' },
      cache: { type: 'string' },
      'no-images': { type: 'boolean' },
      scale: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new UsageError(`notebook run takes one notebook file, got ${positionals.length}`);
  if (!values.out) throw new UsageError('--out DIR is required (where the report, results and figures go)');
  const scale = parseNumber('--scale', values.scale, 2);
  if (!(scale > 0 && scale <= 8)) throw new UsageError(`--scale: expected a number in (0, 8], got ${scale}`);
  const backendName = oneOf('--backend', values.backend, BACKEND_NAMES, 'auto');
  const { plan, path } = await readNotebook(positionals[0]);
  const backend = await openBackend(backendName);
  const cache: ResultCache = values.cache ? new DiskCache(resolve(values.cache)) : new MemoryCache();
  const run = await runNotebook(plan, {
    models: nodeModelHost(backend, dirname(path)),
    cache,
    // Cache keys name the backend that computed (auto resolves to one).
    backend: backendName === 'auto' ? backend.info.name : backendName,
    onEvent: (e) => {
      const line = progressLine(e);
      if (line) process.stderr.write(`${line}\n`);
    },
  });
  const backendLabel = `${backend.info.name} — ${backend.info.adapter}`;
  const written = await writeRunOutputs(resolve(values.out), plan, run, { images: values['no-images'] ? 'off' : 'auto', scale, backend: backendLabel });
  if (written.imagesSkipped) process.stderr.write(`note: ${written.imagesSkipped}\n`);
  if (values.json) {
    printJson({ out: resolve(values.out), computed: run.computed, cached: run.cached, files: written.files, images_skipped: written.imagesSkipped });
  } else {
    console.log(`${plan.notebook.title}: ${run.computed} steps computed, ${run.cached} from cache; ${written.files.length} files in ${values.out}`);
    console.log(`report: ${resolve(values.out, 'report.html')}`);
  }
  return 0;
}

async function validateSubcommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UsageError(`notebook validate takes one notebook file, got ${positionals.length}`);
  try {
    const { plan } = await readNotebook(positionals[0]);
    const n = plan.notebook.cells.length;
    if (values.json) printJson({ valid: true, title: plan.notebook.title, cells: n, version: plan.notebook.version, from_version: plan.fromVersion });
    else console.log(`${positionals[0]}: valid (format version ${plan.notebook.version}, ${n} cells, ${plan.analyses.size} analysis steps, ${plan.figures.size} figures)`);
    return 0;
  } catch (e) {
    if (!(e instanceof NotebookValidationError)) throw e;
    if (values.json) printJson({ valid: false, issues: e.issues });
    else for (const issue of e.issues) console.error(`${positionals[0]}: ${issue.where}: ${issue.message}`);
    return 1;
  }
}

export async function notebookCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'run') return runSubcommand(rest);
  if (sub === 'validate') return validateSubcommand(rest);
  throw new UsageError(`notebook: expected "run" or "validate", got ${sub === undefined ? 'nothing' : JSON.stringify(sub)}\n${NOTEBOOK_USAGE}`);
}
