/**
 * Pure edits of a notebook document for editors (the app): each returns a new document and
 * leaves the input untouched, so an editor can keep history by reference. Edits do not validate;
 * run `validateNotebook` on the result and show its issues by `cell` index. Deleting a step also
 * deletes the figures drawn from it, since a figure of a missing step is invalid.
 */
import type { NotebookInput } from './schema.ts';
import { NOTEBOOK_FORMAT, NOTEBOOK_VERSION } from './schema.ts';

type CellInput = NotebookInput['cells'][number];

export function newNotebook(title: string, model = 'builtin:stories260K'): NotebookInput {
  return { format: NOTEBOOK_FORMAT, version: NOTEBOOK_VERSION, title, cells: [{ kind: 'model', id: 'model', ref: model }] };
}

/** `base` if no cell has it as id, else base2, base3, … (ids must be unique). */
export function uniqueId(notebook: NotebookInput, base: string): string {
  const taken = new Set(notebook.cells.map((c) => c.id).filter((id) => id !== undefined));
  const clean = base.replace(/[^A-Za-z0-9_-]/g, '').replace(/^[^A-Za-z]+/, '') || 'cell';
  if (!taken.has(clean)) return clean;
  let n = 2;
  while (taken.has(`${clean}${n}`)) n++;
  return `${clean}${n}`;
}

function checkIndex(notebook: NotebookInput, index: number, allowEnd = false): void {
  const max = notebook.cells.length - (allowEnd ? 0 : 1);
  if (!Number.isInteger(index) || index < 0 || index > max) throw new Error(`cell index ${index} is outside 0..${max}`);
}

export function insertCell(notebook: NotebookInput, index: number, cell: CellInput): NotebookInput {
  checkIndex(notebook, index, true);
  return { ...notebook, cells: [...notebook.cells.slice(0, index), cell, ...notebook.cells.slice(index)] };
}

export function moveCell(notebook: NotebookInput, from: number, to: number): NotebookInput {
  checkIndex(notebook, from);
  checkIndex(notebook, to);
  const cells = [...notebook.cells];
  const [cell] = cells.splice(from, 1);
  cells.splice(to, 0, cell);
  return { ...notebook, cells };
}

export function deleteCell(notebook: NotebookInput, index: number): NotebookInput {
  checkIndex(notebook, index);
  const gone = notebook.cells[index];
  const drawsGone = (c: CellInput) => gone.kind === 'analysis' && c.kind === 'figure' && c.of === gone.id;
  return { ...notebook, cells: notebook.cells.filter((c, i) => i !== index && !drawsGone(c)) };
}

/** Replaces one cell (e.g. after editing its params); the kind may not change. */
export function replaceCell(notebook: NotebookInput, index: number, cell: CellInput): NotebookInput {
  checkIndex(notebook, index);
  const old = notebook.cells[index];
  if (old.kind !== cell.kind) throw new Error(`cell ${index + 1} is a ${old.kind} cell; it cannot become a ${cell.kind} cell`);
  return { ...notebook, cells: notebook.cells.map((c, i) => (i === index ? cell : c)) };
}

/** Sets an analysis cell's params (by id). */
export function setParams(notebook: NotebookInput, id: string, params: Record<string, unknown>): NotebookInput {
  const index = notebook.cells.findIndex((c) => c.id === id);
  const cell = notebook.cells[index];
  if (!cell || cell.kind !== 'analysis') throw new Error(`no analysis cell "${id}"`);
  return replaceCell(notebook, index, { ...cell, params });
}

