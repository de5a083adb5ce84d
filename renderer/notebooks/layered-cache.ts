/**
 * The notebook job's cache: the probe project first, then this session's memory. A result found
 * only in memory (computed before a project was opened) is copied into the project; a project
 * that cannot be read or written (deleted meanwhile, storage full) never fails a run: the run
 * goes on with the memory layer, and the problem is reported with the run's result.
 */
import type { CachedStep, ResultCache } from '../../notebooks/cache.ts';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class LayeredCache implements ResultCache {
  private readonly seen: string[] = [];

  constructor(
    private readonly project: ResultCache | null,
    private readonly session: ResultCache,
  ) {}

  /** What went wrong with the project layer, once per distinct message. */
  get problems(): readonly string[] {
    return this.seen;
  }

  async get(key: string): Promise<CachedStep | undefined> {
    if (this.project) {
      try {
        const hit = await this.project.get(key);
        if (hit) return hit;
      } catch (e) {
        this.report('read', e);
      }
    }
    const hit = await this.session.get(key);
    if (hit && this.project) await this.keep(key, hit);
    return hit;
  }

  async set(key: string, entry: CachedStep): Promise<void> {
    await this.session.set(key, entry);
    if (this.project) await this.keep(key, entry);
  }

  private async keep(key: string, entry: CachedStep): Promise<void> {
    try {
      await this.project!.set(key, entry);
    } catch (e) {
      this.report('keep', e);
    }
  }

  private report(what: 'read' | 'keep', e: unknown): void {
    const text = what === 'read' ? `Could not read results from the project: ${message(e)}` : `Could not keep a result in the project: ${message(e)}`;
    if (!this.seen.includes(text)) this.seen.push(text);
  }
}
