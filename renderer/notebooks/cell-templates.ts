/**
 * New cells for the editor's "Add cell" bar: valid where they are put whenever the notebook
 * above allows it (an analysis reads the nearest prompts above, a figure draws the nearest step
 * above with that step's default view), with ids that are unique in the notebook.
 */
import { uniqueId } from '../../notebooks/edit.ts';
import type { NotebookInput } from '../../notebooks/schema.ts';
import type { MethodRegistry } from '../../analysis/registry/registry.ts';
import { METHODS } from '../../analysis/registry/registry.ts';
import type { CellInput } from './editor-state.ts';

export type NewCellKind = CellInput['kind'];

export const NEW_CELL_KINDS: readonly { readonly kind: NewCellKind; readonly label: string }[] = [
  { kind: 'markdown', label: 'Text' },
  { kind: 'model', label: 'Model' },
  { kind: 'prompts', label: 'Prompts' },
  { kind: 'dataset', label: 'Dataset' },
  { kind: 'analysis', label: 'Analysis' },
  { kind: 'figure', label: 'Figure' },
];

export const DEFAULT_METHOD = 'logit-lens';

/** The nearest analysis cell above `index`, if any. */
function stepAbove(notebook: NotebookInput, index: number): Extract<CellInput, { kind: 'analysis' }> | null {
  for (let i = index - 1; i >= 0; i--) {
    const cell = notebook.cells[i];
    if (cell.kind === 'analysis') return cell;
  }
  return null;
}

/** A new analysis cell for `method`, with an id from the method's name. */
export function analysisCell(notebook: NotebookInput, method: string): CellInput {
  return { kind: 'analysis', id: uniqueId(notebook, method.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())), method, params: {} };
}

export function newCell(kind: NewCellKind, notebook: NotebookInput, index: number, openModel: string | null, registry: MethodRegistry = METHODS): CellInput {
  switch (kind) {
    case 'markdown':
      return { kind: 'markdown', text: 'Write a note here: *markdown* is shown as text, never as HTML.' };
    case 'model':
      return { kind: 'model', id: uniqueId(notebook, 'model'), ref: openModel ?? 'builtin:stories260K' };
    case 'prompts':
      return { kind: 'prompts', id: uniqueId(notebook, 'prompts'), prompts: [{ label: 'story', text: 'Once upon a time, there was a little girl named Lily. She' }] };
    case 'dataset':
      return { kind: 'dataset', id: uniqueId(notebook, 'dataset'), dataset: { builtin: 'subject-gender' } };
    case 'analysis':
      return analysisCell(notebook, DEFAULT_METHOD);
    case 'figure': {
      const step = stepAbove(notebook, index);
      const registered = step ? registry.get(step.method) : undefined;
      const view = registered?.defaultFigure ?? { view: 'top1', type: 'heatmap' as const };
      return { kind: 'figure', of: step?.id ?? 'step', type: view.type, options: { view: view.view } };
    }
  }
}
