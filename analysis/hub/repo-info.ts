/**
 * The Hub's file list of one revision: `GET /api/models/{repo}/revision/{revision}?blobs=true`
 * answers `{sha, siblings: [{rfilename, size, blobId, lfs?: {sha256, size}}]}`. The commit
 * `sha` pins every later download, so a resumed file can never mix two versions.
 */
import { z } from 'zod';
import { hubGet } from './http.ts';
import type { FetchLike } from './http.ts';
import { HubError, revisionUrl } from './repo.ts';

/** What the Hub says about one file: enough to check it after download. */
export interface HubFile {
  readonly name: string;
  readonly size: number | null;
  /** For LFS files (weights): SHA-256 of the content, hex. */
  readonly sha256: string | null;
  /** For regular git files (configs, tokenizers): the git blob id, SHA-1 of "blob <size>\0<content>". */
  readonly gitBlobId: string | null;
}

export interface RepoInfo {
  readonly repo: string;
  readonly commit: string;
  readonly files: ReadonlyMap<string, HubFile>;
}

const Hex = (n: number) => z.string().regex(new RegExp(`^[0-9a-f]{${n}}$`));

// Not strict: the Hub sends many more fields (tags, cardData, …) that we do not use.
const RevisionSchema = z.object({
  sha: Hex(40),
  siblings: z.array(
    z.object({
      rfilename: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
      blobId: Hex(40).optional(),
      lfs: z.object({ sha256: Hex(64), size: z.number().int().nonnegative() }).optional(),
    }),
  ),
});

/** The file list of the largest repos is a few MB; a longer answer is a broken or hostile endpoint. */
const MAX_FILE_LIST_BYTES = 32 * 1024 * 1024;

/** The body as text, refusing (and dropping the connection) past `max` bytes. */
async function boundedText(response: Response, max: number, what: string): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > max) {
      await reader.cancel();
      throw new HubError(`${what}: the Hub's answer is longer than ${max} bytes; not a file list`);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

export async function fetchRepoInfo(options: {
  endpoint: URL;
  repo: string;
  revision: string;
  token?: string;
  signal?: AbortSignal;
  fetch?: FetchLike;
}): Promise<RepoInfo> {
  const what = `file list of ${options.repo}@${options.revision}`;
  const { response } = await hubGet({ ...options, url: revisionUrl(options.endpoint, options.repo, options.revision), what, headers: { Accept: 'application/json' } });
  const text = await boundedText(response, MAX_FILE_LIST_BYTES, what);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new HubError(`${what}: the Hub's answer is not JSON (${(e as Error).message})`);
  }
  const parsed = RevisionSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HubError(`${what}: unexpected answer from the Hub at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const files = new Map<string, HubFile>();
  for (const s of parsed.data.siblings) {
    files.set(s.rfilename, { name: s.rfilename, size: s.lfs?.size ?? s.size ?? null, sha256: s.lfs?.sha256 ?? null, gitBlobId: s.lfs ? null : (s.blobId ?? null) });
  }
  return { repo: options.repo, commit: parsed.data.sha, files };
}
