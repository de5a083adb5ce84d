/**
 * The example notebooks of notebooks/examples/, bundled at build time (their JSON is part of
 * the app, so opening one needs no file access).
 */
export interface ExampleNotebook {
  /** File name without ".probescope-notebook.json", e.g. "logit-lens". */
  readonly id: string;
  readonly title: string;
  readonly data: unknown;
}

const FILES = import.meta.glob<unknown>('../../notebooks/examples/*.probescope-notebook.json', { eager: true, import: 'default' });

function titleOf(data: unknown, fallback: string): string {
  const title = typeof data === 'object' && data !== null ? (data as { title?: unknown }).title : undefined;
  return typeof title === 'string' ? title : fallback;
}

export const EXAMPLES: readonly ExampleNotebook[] = Object.entries(FILES)
  .map(([file, data]) => {
    const id = file.replace(/^.*\//, '').replace(/\.probescope-notebook\.json$/, '');
    return { id, title: titleOf(data, id), data };
  })
  .sort((a, b) => a.id.localeCompare(b.id));

export const DEFAULT_EXAMPLE = 'logit-lens';
