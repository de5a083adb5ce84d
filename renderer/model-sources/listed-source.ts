/**
 * A ModelSource whose file list is known in advance (the built-in model): `has` answers from
 * the list instead of asking the server, so probing for optional files (a shard index, a
 * tokenizer) costs no request and logs no 404.
 */
import type { ModelSource } from '../../analysis/formats/source.ts';

export class ListedSource implements ModelSource {
  private readonly files: ReadonlySet<string>;

  constructor(
    private readonly inner: ModelSource,
    files: Iterable<string>,
  ) {
    this.files = new Set(files);
  }

  get label(): string {
    return this.inner.label;
  }

  async has(file: string): Promise<boolean> {
    return this.files.has(file);
  }

  size(file: string): Promise<number> {
    return this.inner.size(file);
  }

  read(file: string, start: number, end: number): Promise<Uint8Array> {
    return this.inner.read(file, start, end);
  }
}
