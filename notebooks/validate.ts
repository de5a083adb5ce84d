/**
 * Reading a notebook: size and safety checks on the raw JSON, migration to the current version,
 * the schema, then the rules that span cells. The result is a plan the runner executes: every
 * analysis cell bound to its model and input cells with its params validated (defaults applied),
 * every figure bound to its step and view. Every problem is reported with the cell it is in.
 */
import { datasetOf } from './datasets.ts';
import { FIGURE_TYPES_FOR } from '../analysis/registry/views.ts';
import type { FigureType } from '../analysis/registry/views.ts';
import type { Json } from '../analysis/json.ts';
import { unsafeJsonPath } from '../analysis/json.ts';
import { migrateNotebook } from './migrate.ts';
import type { AnalysisCell, Cell, FigureCell, Notebook } from './schema.ts';
import { cellName, LIMITS, NotebookSchema } from './schema.ts';
import { findPrompt } from '../analysis/registry/common.ts';
import { issuePath } from '../analysis/registry/define.ts';
import type { MethodRegistry } from '../analysis/registry/registry.ts';
import { METHODS } from '../analysis/registry/registry.ts';
import type { RegisteredMethod } from '../analysis/registry/contract.ts';

export interface NotebookIssue {
  /** e.g. `cell 3 (analysis "lens") params.topK` or `title`. */
  readonly where: string;
  readonly message: string;
  /** Index of the cell the issue is in (for editors); absent for whole-notebook issues. */
  readonly cell?: number;
}

export class NotebookValidationError extends Error {
  constructor(readonly issues: readonly NotebookIssue[]) {
    const shown = issues.slice(0, 5).map((i) => `${i.where}: ${i.message}`);
    if (issues.length > 5) shown.push(`… and ${issues.length - 5} more`);
    super(`invalid notebook: ${shown.join('; ')}`);
    this.name = 'NotebookValidationError';
  }
}

export interface AnalysisPlan {
  readonly index: number;
  readonly cell: AnalysisCell;
  readonly step: RegisteredMethod;
  /** Validated, defaults applied. */
  readonly params: Json;
  /** Index of the model cell the step runs on. */
  readonly model: number;
  /** Index of its prompts or dataset cell; null for steps that read none. */
  readonly input: number | null;
}

export interface FigurePlan {
  readonly index: number;
  readonly cell: FigureCell;
  /** Index of the analysis cell drawn. */
  readonly of: number;
  readonly view: string;
  readonly type: FigureType;
}

export interface NotebookPlan {
  readonly notebook: Notebook;
  /** The format version the file was written in (before migration). */
  readonly fromVersion: number;
  /** By cell index; undefined for cells that are not analysis/figure cells. */
  readonly analyses: ReadonlyMap<number, AnalysisPlan>;
  readonly figures: ReadonlyMap<number, FigurePlan>;
}

/** Parses notebook JSON text and validates it. */
export function parseNotebookText(text: string, registry: MethodRegistry = METHODS): NotebookPlan {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > LIMITS.maxBytes) throw new NotebookValidationError([{ where: '(file)', message: `${bytes} bytes; notebooks are limited to ${LIMITS.maxBytes} bytes` }]);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new NotebookValidationError([{ where: '(file)', message: `not valid JSON (${(e as Error).message})` }]);
  }
  return validateNotebook(data, registry);
}

/** Validates already-parsed notebook data (e.g. from the project store or the editor). */
export function validateNotebook(data: unknown, registry: MethodRegistry = METHODS): NotebookPlan {
  const unsafe = unsafeJsonPath(data, { maxDepth: LIMITS.maxDepth });
  if (unsafe) throw new NotebookValidationError([{ where: unsafe.path, message: unsafe.message }]);
  const size = JSON.stringify(data).length;
  if (size > LIMITS.maxBytes) throw new NotebookValidationError([{ where: '(file)', message: `${size} characters of JSON; notebooks are limited to ${LIMITS.maxBytes}` }]);
  let migrated;
  try {
    migrated = migrateNotebook(data);
  } catch (e) {
    throw new NotebookValidationError([{ where: '(file)', message: (e as Error).message }]);
  }
  const parsed = NotebookSchema.safeParse(migrated.doc);
  if (!parsed.success) throw new NotebookValidationError(parsed.error.issues.map((i) => schemaIssue(migrated.doc, i.path, i.message)));
  return bindCells(parsed.data, migrated.from, registry);
}

/** Names the cell a schema issue is in (from the raw data, which may be only partly valid). */
function schemaIssue(doc: Record<string, unknown>, path: readonly PropertyKey[], message: string): NotebookIssue {
  if (path[0] === 'cells' && typeof path[1] === 'number') {
    const raw = (doc.cells as unknown[])[path[1]];
    const o = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const name = cellName({ kind: typeof o.kind === 'string' ? o.kind : 'unknown kind', id: typeof o.id === 'string' ? o.id : undefined }, path[1]);
    const rest = issuePath(path.slice(2));
    if (rest === 'kind' || (rest === '' && /discriminator|Invalid input/i.test(message))) {
      return { where: name, message: `"kind" must be one of markdown, model, prompts, dataset, analysis, figure`, cell: path[1] };
    }
    return { where: rest ? `${name} ${rest}` : name, message, cell: path[1] };
  }
  return { where: issuePath(path) || '(root)', message };
}

/** Cross-cell rules; builds the plan. */
function bindCells(notebook: Notebook, fromVersion: number, registry: MethodRegistry): NotebookPlan {
  const issues: NotebookIssue[] = [];
  const analyses = new Map<number, AnalysisPlan>();
  const figures = new Map<number, FigurePlan>();
  const seen = new Map<string, number>();
  const cells = notebook.cells;
  const issue = (i: number, where: string, message: string) => issues.push({ where: `${cellName(cells[i], i)}${where ? ` ${where}` : ''}`, message, cell: i });
  /** The cell a reference names (must be above), or the nearest one of the kinds above. */
  const above = (i: number, kinds: readonly Cell['kind'][], id: string | undefined, field: string): number | null => {
    if (id !== undefined) {
      const at = seen.get(id);
      if (at === undefined) return issue(i, field, `no cell "${id}" above this one`), null;
      if (!kinds.includes(cells[at].kind)) return issue(i, field, `cell "${id}" is a ${cells[at].kind} cell, expected ${kinds.join(' or ')}`), null;
      return at;
    }
    for (let j = i - 1; j >= 0; j--) if (kinds.includes(cells[j].kind)) return j;
    issue(i, '', `needs a ${kinds.join(' or ')} cell above it`);
    return null;
  };

  cells.forEach((cell, i) => {
    if (cell.id !== undefined) {
      if (seen.has(cell.id)) issue(i, 'id', `"${cell.id}" is already the id of ${cellName(cells[seen.get(cell.id)!], seen.get(cell.id)!)}`);
    }
    if (cell.kind === 'dataset') {
      try {
        datasetOf(cell);
      } catch (e) {
        issue(i, 'dataset', (e as Error).message);
      }
    } else if (cell.kind === 'prompts') {
      const labels = cell.prompts.map((p) => p.label).filter((l) => l !== undefined);
      const dup = labels.find((l, k) => labels.indexOf(l) !== k);
      if (dup !== undefined) issue(i, 'prompts', `two prompts are labelled "${dup}"`);
    } else if (cell.kind === 'analysis') {
      const step = registry.get(cell.method);
      if (!step) {
        issue(i, 'method', `unknown method "${cell.method}" (available: ${[...registry.keys()].join(', ')})`);
      } else {
        const checked = step.checkParams(cell.params);
        if (!checked.ok) checked.issues.forEach((p) => issue(i, `params${p.path ? `.${p.path}` : ''}`, p.message));
        const model = above(i, ['model'], cell.model, 'model');
        let input: number | null = null;
        if (step.input === 'none') {
          if (cell.input !== undefined) issue(i, 'input', `method "${step.method}" reads no prompts or dataset`);
        } else {
          input = above(i, [step.input], cell.input, 'input');
        }
        if (checked.ok && input !== null && step.input === 'prompts') {
          const promptsCell = cells[input];
          if (promptsCell.kind === 'prompts') {
            for (const use of step.promptRefs(checked.value)) {
              const found = findPrompt({ cell: promptsCell.id, items: promptsCell.prompts }, use.ref);
              if (typeof found === 'string') issue(i, `params.${use.field}`, found);
            }
          }
        }
        if (checked.ok && model !== null) analyses.set(i, { index: i, cell, step, params: checked.value, model, input });
      }
    } else if (cell.kind === 'figure') {
      bindFigure(cell, i);
    }
    if (cell.id !== undefined && !seen.has(cell.id)) seen.set(cell.id, i);
  });

  function bindFigure(cell: FigureCell, i: number): void {
    const at = seen.get(cell.of);
    if (at === undefined) {
      const later = cells.findIndex((c, j) => j > i && c.id === cell.of);
      return void issue(i, 'of', later >= 0 ? `step "${cell.of}" comes after this figure; a figure draws a step above it` : `no analysis step "${cell.of}" in this notebook`);
    }
    if (cells[at].kind !== 'analysis') return void issue(i, 'of', `cell "${cell.of}" is a ${cells[at].kind} cell, not an analysis step`);
    const plan = analyses.get(at);
    if (!plan) return; // the step itself is invalid and already reported
    const view = cell.options.view ?? plan.step.defaultFigure.view;
    // Own properties only: a view named "constructor" or "__proto__" must not find Object.prototype's.
    const kind = Object.hasOwn(plan.step.views, view) ? plan.step.views[view] : undefined;
    if (!kind) return void issue(i, 'options.view', `step "${cell.of}" (${plan.step.method}) has no view "${view}" (views: ${Object.keys(plan.step.views).join(', ')})`);
    if (!FIGURE_TYPES_FOR[kind].includes(cell.type)) {
      return void issue(i, 'type', `view "${view}" is a ${kind}, which can be drawn as ${FIGURE_TYPES_FOR[kind].join(', ')}, not ${cell.type}`);
    }
    figures.set(i, { index: i, cell, of: at, view, type: cell.type });
  }

  if (issues.length > 0) throw new NotebookValidationError(issues);
  return { notebook, fromVersion, analyses, figures };
}
