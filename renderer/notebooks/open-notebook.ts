/**
 * Opening a notebook for editing: from a bundled example, a local file or the project store.
 * A document whose shape is valid opens even when cross-cell rules fail (a dangling reference,
 * a bad parameter): the editor shows those problems on their cells. A document the editor
 * cannot show (not JSON, not a notebook, a newer format, an unknown cell kind, hostile keys) is
 * refused with the validator's messages.
 */
import { LIMITS, NotebookSchema } from '../../notebooks/schema.ts';
import type { NotebookInput } from '../../notebooks/schema.ts';
import { unsafeJsonPath } from '../../analysis/json.ts';
import { migrateNotebook } from '../../notebooks/migrate.ts';
import type { NotebookIssue } from '../../notebooks/validate.ts';
import { NotebookValidationError, parseNotebookText, validateNotebook } from '../../notebooks/validate.ts';

export type OpenedNotebook = { readonly ok: true; readonly doc: NotebookInput } | { readonly ok: false; readonly issues: readonly NotebookIssue[] };

/** The document with its shape checked (defaults applied), or null when the editor cannot show it. */
function shapeOf(data: unknown): NotebookInput | null {
  if (unsafeJsonPath(data, { maxDepth: LIMITS.maxDepth }) !== null) return null;
  if (JSON.stringify(data).length > LIMITS.maxBytes) return null;
  try {
    const parsed = NotebookSchema.safeParse(migrateNotebook(data).doc);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function opened(read: () => NotebookInput, data: () => unknown): OpenedNotebook {
  try {
    return { ok: true, doc: read() };
  } catch (e) {
    if (!(e instanceof NotebookValidationError)) throw e;
    if (e.issues.some((i) => i.where === '(file)')) return { ok: false, issues: e.issues };
    const doc = shapeOf(data());
    return doc ? { ok: true, doc } : { ok: false, issues: e.issues };
  }
}

/** Parsed data (an example, a stored notebook). */
export function openNotebookData(data: unknown): OpenedNotebook {
  return opened(
    () => validateNotebook(data).notebook,
    () => data,
  );
}

/** The text of a .json file. */
export function openNotebookText(text: string): OpenedNotebook {
  return opened(
    () => parseNotebookText(text).notebook,
    () => JSON.parse(text) as unknown,
  );
}

/** One line per problem, as the validator words them. */
export function describeIssues(issues: readonly NotebookIssue[]): string[] {
  return issues.map((i) => `${i.where}: ${i.message}`);
}
