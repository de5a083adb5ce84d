/**
 * Hub repo ids, revisions and file names, validated before they go into a URL or a path, and
 * the Hub's URL layout:
 *   {endpoint}/api/models/{repo}/revision/{revision}?blobs=true   file list with sizes and hashes
 *   {endpoint}/{repo}/resolve/{revision}/{file}                     file contents (LFS files redirect)
 */

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

/** "owner/name" or a legacy single name ("gpt2"); the Hub's own character set, no "..", no "--". */
const REPO_PART = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?$/;

export function checkRepoId(repo: string): string {
  const parts = repo.split('/');
  const ok = parts.length <= 2 && parts.every((p) => REPO_PART.test(p) && !p.includes('..') && !p.includes('--'));
  if (!ok) throw new HubError(`"${repo}" is not a Hub repo id (expected owner/name, e.g. TinyLlama/TinyLlama-1.1B-Chat-v1.0)`);
  return repo;
}

/** Branch, tag or commit; may contain "/" (refs/pr/1), never "..", spaces or control characters. */
export function checkRevision(revision: string): string {
  if (!/^[A-Za-z0-9._/-]{1,255}$/.test(revision) || revision.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new HubError(`"${revision}" is not a revision (a branch, tag or commit hash)`);
  }
  return revision;
}

/**
 * File names the downloader will write: one plain segment, not hidden, from a safe alphabet.
 * Names come from the Hub's file list and from model.safetensors.index.json, so a hostile repo
 * must not be able to write outside the model folder ("../../.bashrc").
 */
export function checkFileName(name: string, where: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/.test(name) || name.includes('..')) {
    throw new HubError(`${where}: "${name}" is not a plain file name; refusing to download it`);
  }
  return name;
}

export function checkEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new HubError(`"${endpoint}" is not a URL (expected e.g. ${DEFAULT_ENDPOINT})`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new HubError(`the Hub endpoint must be http(s), got ${url.protocol}`);
  if (url.username || url.password) throw new HubError('the Hub endpoint must not contain credentials; pass a token instead');
  return url;
}

function base(endpoint: URL): string {
  return endpoint.href.replace(/\/+$/, '');
}

export function revisionUrl(endpoint: URL, repo: string, revision: string): string {
  return `${base(endpoint)}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`;
}

export function fileUrl(endpoint: URL, repo: string, revision: string, file: string): string {
  return `${base(endpoint)}/${repo}/resolve/${encodeURIComponent(revision)}/${encodeURIComponent(file)}`;
}

/** Every failure of a Hub download; messages never contain the token (see redact.ts). */
export class HubError extends Error {
  override readonly name: string = 'HubError';
  constructor(
    message: string,
    /** HTTP status when the Hub answered with one. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** 401/403: the repo is gated or private and the token is missing, wrong or not granted access. */
export class HubAuthError extends HubError {
  override readonly name = 'HubAuthError';
}

/** The downloaded bytes do not have the hash the Hub published. */
export class HubChecksumError extends HubError {
  override readonly name = 'HubChecksumError';
}
