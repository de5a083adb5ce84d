/**
 * probescope download REPO [--revision R] [--dir DIR] [--models-dir DIR] [--endpoint URL] [--json]
 *
 * Fetches a model from the Hugging Face Hub (analysis/hub/download.ts): config, tokenizer
 * files and safetensors weights, resumable and checksum-verified. A token for gated or private
 * repos comes from the environment (HF_TOKEN), never from a flag: flags end up in shell history
 * and process lists.
 */
import { parseArgs } from 'node:util';
import { downloadModel } from '../../analysis/hub/download.ts';
import type { DownloadProgress } from '../../analysis/hub/download.ts';
import { UsageError } from '../args.ts';
import { printJson } from '../output.ts';

export const DOWNLOAD_USAGE = `probescope download REPO [--revision R] [--dir DIR] [--models-dir DIR] [--endpoint URL] [--json]
  (HF_TOKEN for gated/private repos; HF_ENDPOINT; PROBESCOPE_MODELS_DIR)`;

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** One stderr line per file and at most one per second in between, so logs stay readable. */
function progressPrinter(): (p: DownloadProgress) => void {
  let lastFile = '';
  let lastAt = 0;
  return (p) => {
    const now = Date.now();
    const finished = p.fileTotal !== null && p.fileBytes === p.fileTotal;
    if (p.file === lastFile && !finished && now - lastAt < 1000) return;
    lastFile = p.file;
    lastAt = now;
    const percent = p.total > 0 ? ` (${((100 * p.bytes) / p.total).toFixed(0)}% of ${mb(p.total)})` : '';
    process.stderr.write(`${p.file}: ${mb(p.fileBytes)}${p.fileTotal ? ` / ${mb(p.fileTotal)}` : ''}${percent}\n`);
  };
}

export async function downloadCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      revision: { type: 'string' },
      dir: { type: 'string' },
      'models-dir': { type: 'string' },
      endpoint: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new UsageError(`expected one repo id (e.g. karpathy/stories260K), got ${positionals.length}`);
  if (values.dir !== undefined && values['models-dir'] !== undefined) throw new UsageError('give --dir or --models-dir, not both');
  const env = process.env;
  const result = await downloadModel({
    repo: positionals[0],
    revision: values.revision,
    dir: values.dir,
    modelsDir: values['models-dir'],
    endpoint: values.endpoint ?? env.HF_ENDPOINT,
    token: env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN || undefined,
    onProgress: values.json ? undefined : progressPrinter(),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (values.json) {
    printJson({
      dir: result.dir,
      repo: result.repo,
      revision: result.revision,
      commit: result.commit,
      files: result.files.map((f) => ({ name: f.name, size: f.size, downloaded: f.downloaded, [f.hash.kind]: f.hash.hex })),
    });
  } else {
    console.log(`${result.repo}@${result.commit.slice(0, 8)} is in ${result.dir}`);
  }
  return 0;
}
