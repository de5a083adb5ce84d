/**
 * Downloads a model from the Hugging Face Hub by repo id into a local folder that Probescope
 * opens like any other: config.json, tokenizer files and safetensors weights (single or sharded).
 * The revision is resolved to a commit first, and every file is fetched from that commit,
 * resumably and verified against the Hub's hashes (download-file.ts). A token for gated or
 * private repos is sent only to the Hub's origin and never appears in messages, progress,
 * logs or the files written (redact.ts, and it is simply never passed to them).
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MAX_JSON_FILE_BYTES } from '../formats/json-file.ts';
import { downloadFile } from './download-file.ts';
import type { DownloadedFile } from './download-file.ts';
import type { FetchLike } from './http.ts';
import { defaultModelsDir, DOWNLOAD_RECORD, folderNameFor } from './models-dir.ts';
import { redact, redactError } from './redact.ts';
import { fetchRepoInfo } from './repo-info.ts';
import type { HubFile, RepoInfo } from './repo-info.ts';
import { checkEndpoint, checkFileName, checkRepoId, checkRevision, DEFAULT_ENDPOINT, HubError } from './repo.ts';
import { selectMetadataFiles, shardsOf, SINGLE_WEIGHTS, WEIGHTS_INDEX } from './select-files.ts';

export interface DownloadProgress {
  readonly file: string;
  readonly fileBytes: number;
  readonly fileTotal: number | null;
  /** All files together. */
  readonly bytes: number;
  readonly total: number;
  readonly filesDone: number;
  readonly filesTotal: number;
}

export interface DownloadOptions {
  readonly repo: string;
  /** Branch, tag or commit; default "main". */
  readonly revision?: string;
  /** Default https://huggingface.co (HF_ENDPOINT in the CLI). */
  readonly endpoint?: string;
  /** The models folder; the model goes into <modelsDir>/<owner>--<name>. */
  readonly modelsDir?: string;
  /** Exactly this folder instead. */
  readonly dir?: string;
  readonly token?: string;
  readonly retries?: number;
  /** See FileDownloadOptions.stallTimeoutMs (default 60 s). */
  readonly stallTimeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly fetch?: FetchLike;
  readonly onProgress?: (progress: DownloadProgress) => void;
  readonly log?: (line: string) => void;
}

export interface DownloadResult {
  readonly dir: string;
  readonly repo: string;
  readonly revision: string;
  readonly commit: string;
  readonly files: readonly DownloadedFile[];
}

function fileInfo(info: RepoInfo, name: string): HubFile {
  const file = info.files.get(checkFileName(name, info.repo));
  if (!file) throw new HubError(`${info.repo} has no ${name}`);
  return file;
}

/** The downloaded shard index; a file that is not JSON is a message naming it, not a bare SyntaxError. */
async function readIndex(file: string, repo: string): Promise<unknown> {
  const size = (await stat(file)).size;
  if (size > MAX_JSON_FILE_BYTES) throw new HubError(`${WEIGHTS_INDEX} of ${repo} is ${size} bytes, more than the ${MAX_JSON_FILE_BYTES}-byte limit for a JSON file`);
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HubError(`${WEIGHTS_INDEX} of ${repo} is not valid JSON (${(e as Error).message}); cannot tell which shards hold the weights`);
  }
}

export async function downloadModel(options: DownloadOptions): Promise<DownloadResult> {
  const { token } = options;
  const log = options.log ? (line: string) => options.log!(redact(line, token)) : undefined;
  try {
    const repo = checkRepoId(options.repo);
    const revision = checkRevision(options.revision ?? 'main');
    const endpoint = checkEndpoint(options.endpoint ?? DEFAULT_ENDPOINT);
    const dir = path.resolve(options.dir ?? path.join(options.modelsDir ?? defaultModelsDir(), folderNameFor(repo)));
    const common = { endpoint, repo, token, signal: options.signal, fetch: options.fetch };

    const info = await fetchRepoInfo({ ...common, revision });
    log?.(`${repo}@${revision} is commit ${info.commit}`);
    await mkdir(dir, { recursive: true });
    const fileOptions = { ...common, commit: info.commit, dir, retries: options.retries, stallTimeoutMs: options.stallTimeoutMs, log };

    // The index (if any) comes first: it says which shards make up the weights.
    const metadata = selectMetadataFiles(info);
    const done: DownloadedFile[] = [];
    if (metadata.sharded) done.push(await downloadFile({ ...fileOptions, file: fileInfo(info, WEIGHTS_INDEX) }));
    const weights = metadata.sharded ? shardsOf(await readIndex(path.join(dir, WEIGHTS_INDEX), repo), info) : [SINGLE_WEIGHTS];
    const planned = [...metadata.files.filter((f) => f !== WEIGHTS_INDEX), ...weights].map((f) => fileInfo(info, f));

    const sizeOf = (f: HubFile) => f.size ?? 0;
    const total = [...done.map((d) => d.size), ...planned.map(sizeOf)].reduce((a, b) => a + b, 0);
    let finished = done.reduce((a, d) => a + d.size, 0);
    const filesTotal = done.length + planned.length;
    for (const file of planned) {
      // Never more bytes than the total (a file of unknown size adds to both), so percentages stay ≤ 100.
      const onBytes = (fileBytes: number, fileTotal: number | null) =>
        options.onProgress?.({ file: file.name, fileBytes, fileTotal, bytes: finished + fileBytes, total: Math.max(total, finished + fileBytes), filesDone: done.length, filesTotal });
      const got = await downloadFile({ ...fileOptions, file, onBytes });
      done.push(got);
      finished += got.size;
      log?.(`${file.name}: ${got.downloaded ? 'downloaded and verified' : 'already present and verified'} (${got.size} bytes)`);
    }

    const record = {
      repo,
      revision,
      commit: info.commit,
      endpoint: endpoint.origin,
      downloadedAt: new Date().toISOString(),
      files: done.map((f) => ({ name: f.name, size: f.size, [f.hash.kind]: f.hash.hex })),
    };
    await writeFile(path.join(dir, DOWNLOAD_RECORD), `${JSON.stringify(record, null, 2)}\n`);
    return { dir, repo, revision, commit: info.commit, files: done };
  } catch (e) {
    throw e instanceof Error ? redactError(e, token) : new HubError(redact(String(e), token));
  }
}
