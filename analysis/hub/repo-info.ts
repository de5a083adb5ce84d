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
  let json: unknown;
  try {
    json = await response.json();
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
