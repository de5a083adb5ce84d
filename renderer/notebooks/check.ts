/**
 * Live validation for the editor: the whole notebook through the validator the runner uses
 * (so the messages are the ones a run or the CLI would give), grouped by cell; and one analysis
 * cell's params through its step's schema, grouped by field for the params form.
 */
import type { NotebookInput } from '../../notebooks/schema.ts';
import { cellName } from '../../notebooks/schema.ts';
import type { MethodRegistry } from '../../analysis/registry/registry.ts';
import { METHODS } from '../../analysis/registry/registry.ts';
import type { RegisteredMethod } from '../../analysis/registry/contract.ts';
import type { NotebookIssue, NotebookPlan } from '../../notebooks/validate.ts';
import { NotebookValidationError, validateNotebook } from '../../notebooks/validate.ts';

export interface NotebookCheck {
  /** The runnable plan, or null while there are problems. */
  readonly plan: NotebookPlan | null;
  readonly issues: readonly NotebookIssue[];
  /** Issues by cell index. */
  readonly byCell: ReadonlyMap<number, readonly NotebookIssue[]>;
  /** Issues of the whole notebook (title, …). */
  readonly general: readonly NotebookIssue[];
}

export function checkNotebook(doc: NotebookInput, registry: MethodRegistry = METHODS): NotebookCheck {
  try {
    return { plan: validateNotebook(doc, registry), issues: [], byCell: new Map(), general: [] };
  } catch (e) {
    if (!(e instanceof NotebookValidationError)) throw e;
    const byCell = new Map<number, NotebookIssue[]>();
    const general: NotebookIssue[] = [];
    for (const issue of e.issues) {
      if (issue.cell === undefined) general.push(issue);
      else byCell.set(issue.cell, [...(byCell.get(issue.cell) ?? []), issue]);
    }
    return { plan: null, issues: e.issues, byCell, general };
  }
}

/** An issue as shown inside its cell: without the cell's name in front ("params.topK: Too big: …"). */
export function issueText(issue: NotebookIssue, cell: { kind: string; id?: string } | undefined): string {
  const name = issue.cell !== undefined && cell ? cellName(cell, issue.cell) : null;
  const where = name && issue.where.startsWith(name) ? issue.where.slice(name.length).trim() : issue.where;
  return where ? `${where}: ${issue.message}` : issue.message;
}

/** A step's params issues by top-level field ("" for the params object as a whole), with the validator's messages. */
export function fieldIssues(step: RegisteredMethod, params: unknown): ReadonlyMap<string, readonly string[]> {
  const checked = step.checkParams(params);
  const out = new Map<string, string[]>();
  if (checked.ok) return out;
  for (const issue of checked.issues) {
    const field = /^[^.[]*/.exec(issue.path)![0];
    const rest = issue.path.slice(field.length).replace(/^\./, '');
    out.set(field, [...(out.get(field) ?? []), rest ? `${rest}: ${issue.message}` : issue.message]);
  }
  return out;
}
