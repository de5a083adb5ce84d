/**
 * GET against the Hub with the token handled safely: redirects are followed by hand (at most
 * five) so that the Authorization header goes only to the Hub's own origin, never to the CDN
 * host an LFS file redirects to; statuses become HubErrors that say what to do.
 */
import { HubAuthError, HubError } from './repo.ts';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface HubRequest {
  readonly url: string;
  readonly token?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly fetch?: FetchLike;
  /** For messages: "config.json of owner/name". */
  readonly what: string;
}

const MAX_REDIRECTS = 5;

function authMessage(status: number, what: string, hasToken: boolean): string {
  if (status === 401 && !hasToken) {
    return `${what}: the Hub answered 401 Unauthorized: the repo is gated or private; set HF_TOKEN to an access token of an account that may read it`;
  }
  if (status === 401) return `${what}: the Hub answered 401 Unauthorized: the token was refused (expired or mistyped?)`;
  return `${what}: the Hub answered 403 Forbidden: this account has no access; accept the model's conditions on its Hub page, or use a token with read access`;
}

export interface HubResponse {
  /** The final (2xx) response, after redirects. */
  readonly response: Response;
  /**
   * Headers of the Hub's own first answer: for an LFS file that is the redirect, which carries
   * X-Linked-Etag (the sha256) and X-Linked-Size; the CDN's answer does not.
   */
  readonly hubHeaders: Headers;
}

/** A successful (2xx) GET, after redirects. */
export async function hubGet(request: HubRequest): Promise<HubResponse> {
  const doFetch = request.fetch ?? ((url, init) => fetch(url, init));
  const origin = new URL(request.url).origin;
  let url = request.url;
  let hubHeaders: Headers | null = null;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Record<string, string> = { ...request.headers };
    // Only the Hub itself gets the token; a redirect to a CDN host carries its own signed URL.
    if (request.token && new URL(url).origin === origin) headers.Authorization = `Bearer ${request.token}`;
    let response: Response;
    try {
      response = await doFetch(url, { headers, redirect: 'manual', signal: request.signal });
    } catch (e) {
      if (request.signal?.aborted) throw new HubError(`${request.what}: cancelled`);
      throw new HubError(`${request.what}: could not reach ${new URL(url).host} (${(e as Error).message})`);
    }
    hubHeaders ??= response.headers;
    if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
      await response.body?.cancel();
      url = new URL(response.headers.get('location')!, url).href;
      continue;
    }
    if (response.ok) return { response, hubHeaders };
    await response.body?.cancel();
    if (response.status === 401 || response.status === 403) throw new HubAuthError(authMessage(response.status, request.what, Boolean(request.token)), response.status);
    if (response.status === 404) throw new HubError(`${request.what}: not found on the Hub (404): check the repo id, the revision and the file name`, 404);
    if (response.status === 416) throw new HubError(`${request.what}: the Hub refused the byte range (416)`, 416);
    throw new HubError(`${request.what}: the Hub answered ${response.status} ${response.statusText}`, response.status);
  }
  throw new HubError(`${request.what}: more than ${MAX_REDIRECTS} redirects`);
}
