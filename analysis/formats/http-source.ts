/**
 * `ModelSource` over HTTP(S): the built-in model in the browser, Electron's model protocol.
 * Every read is a `Range` request for exactly the bytes wanted. Sizes come from a 1-byte range
 * request's `Content-Range` (a HEAD's Content-Length can be the compressed size).
 *
 * A server that ignores `Range` answers 200 with the whole file; we then keep that body and
 * serve later reads of the file from it, rather than download the file once per tensor.
 */
import { ModelFormatError } from './errors.ts';
import type { ModelSource } from './source.ts';
import { checkRange, checkRelativeFileName } from './source-paths.ts';

export interface HttpSourceOptions {
  /** For messages; defaults to the base URL. */
  readonly label?: string;
  /** Injected for tests or custom transports; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

/** The total size in a Content-Range header: "bytes 0-0/1234" → 1234 (also the "bytes *" + "/1234" form). */
function totalFromContentRange(header: string | null): number | null {
  const match = header === null ? null : /\/(\d+)\s*$/.exec(header);
  return match === null ? null : Number(match[1]);
}

export class HttpSource implements ModelSource {
  readonly label: string;
  private readonly base: URL;
  private readonly fetchImpl: typeof fetch;
  private readonly sizes = new Map<string, number>();
  /** Whole bodies of files whose server ignored Range. */
  private readonly wholeFiles = new Map<string, Uint8Array>();

  constructor(baseUrl: string | URL, options: HttpSourceOptions = {}) {
    const base = new URL(String(baseUrl));
    // Resolve file names inside the folder, not next to it.
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.base = base;
    this.label = options.label ?? base.href;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async has(file: string): Promise<boolean> {
    try {
      await this.size(file);
      return true;
    } catch (e) {
      if (e instanceof NotFound) return false;
      throw e;
    }
  }

  async size(file: string): Promise<number> {
    const known = this.sizes.get(file);
    if (known !== undefined) return known;
    const response = await this.get(file, 'bytes=0-0');
    let size: number | null;
    if (response.status === 206 || response.status === 416) {
      // 416: a zero-byte file has no byte 0; the header still carries "bytes */0".
      size = totalFromContentRange(response.headers.get('content-range'));
      await response.body?.cancel();
      if (size === null) throw new Error(`${this.label}: ${file}: range response without a usable Content-Range header`);
    } else {
      const body = new Uint8Array(await response.arrayBuffer());
      this.wholeFiles.set(file, body);
      size = body.length;
    }
    this.sizes.set(file, size);
    return size;
  }

  async read(file: string, start: number, end: number): Promise<Uint8Array> {
    const size = await this.size(file);
    checkRange(this.label, file, start, end, size);
    const whole = this.wholeFiles.get(file);
    if (whole !== undefined) return whole.slice(start, end);
    if (start === end) return new Uint8Array(0);
    const response = await this.get(file, `bytes=${start}-${end - 1}`);
    const body = new Uint8Array(await response.arrayBuffer());
    if (response.status === 200) {
      this.wholeFiles.set(file, body);
      return body.slice(start, end);
    }
    const range = response.headers.get('content-range');
    if (response.status !== 206 || body.length !== end - start || (range !== null && !range.startsWith(`bytes ${start}-`))) {
      throw new ModelFormatError(
        `${this.label}: asked for bytes [${start}, ${end}) of ${file}, got HTTP ${response.status} ` +
          `with ${body.length} bytes (Content-Range: ${range ?? 'none'})`,
      );
    }
    return body;
  }

  private async get(file: string, range: string): Promise<Response> {
    checkRelativeFileName(file, this.label);
    const url = new URL(file.split('/').map(encodeURIComponent).join('/'), this.base);
    let response: Response;
    try {
      response = await this.fetchImpl(url, { headers: { Range: range } });
    } catch (e) {
      throw new Error(`${this.label}: fetching ${file} failed (${(e as Error).message})`);
    }
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel();
      throw new NotFound(`${this.label}: ${file} not found (HTTP ${response.status})`);
    }
    if (!response.ok && response.status !== 416) {
      await response.body?.cancel();
      throw new Error(`${this.label}: fetching ${file} failed: HTTP ${response.status} ${response.statusText}`);
    }
    return response;
  }
}

/** A missing file, so `has` can tell it from other failures. */
class NotFound extends ModelFormatError {}
