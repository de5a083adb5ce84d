/**
 * The notebook format, version 1: a title and an ordered list of cells. Pure data — no
 * expressions, no code, no HTML: markdown is rendered with HTML escaped (markdown.ts), model
 * references are names or folder paths the host resolves, and an analysis step is a method name
 * from the registry with parameters that the method's own schema validates (validate.ts).
 *
 *   markdown  – text shown in the report
 *   model     – `builtin:stories260K` or a model folder (relative to the notebook file for the CLI)
 *   prompts   – labelled prompts (text, or token ids) that steps refer to by label or index
 *   dataset   – a labelled dataset (a built-in one by name, or inline examples)
 *   analysis  – `{method, params}`; runs on the nearest model/prompts/dataset cell above it
 *               unless `model` / `input` name one
 *   figure    – a view of an earlier analysis step's result drawn as heatmap | bar | line | table | graph
 *
 * This file describes shape only; cross-cell rules (ids unique, references point backwards,
 * params valid for the method) are checked in validate.ts.
 */
import { z } from 'zod';
import { ProbeDatasetSchema } from '../analysis/methods/probe-data.ts';
import { FigureOptionsSchema } from './figures/options.ts';
import { FIGURE_TYPES } from '../analysis/registry/views.ts';

export const NOTEBOOK_FORMAT = 'probescope.notebook';
export const NOTEBOOK_VERSION = 2;

/** Limits that keep a hostile or accidental file from exhausting memory or the stack. */
export const LIMITS = {
  /** Bytes of notebook JSON text (inline datasets included). */
  maxBytes: 4 * 1024 * 1024,
  maxCells: 256,
  maxDepth: 32,
  maxMarkdownChars: 100_000,
  maxPrompts: 1000,
  maxPromptChars: 20_000,
  maxIds: 8192,
} as const;

export const CellIdSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'a cell id is 1–64 letters, digits, "_" or "-", starting with a letter');

const MarkdownCell = z.strictObject({
  kind: z.literal('markdown'),
  id: CellIdSchema.optional(),
  text: z.string().max(LIMITS.maxMarkdownChars),
});

const ModelCell = z.strictObject({
  kind: z.literal('model'),
  id: CellIdSchema,
  /** "builtin:<name>" or a model folder path. */
  ref: z.string().min(1).max(1024),
});

const Prompt = z.union([
  z.strictObject({ label: z.string().min(1).max(100).optional(), text: z.string().min(1).max(LIMITS.maxPromptChars) }),
  z.strictObject({ label: z.string().min(1).max(100).optional(), ids: z.array(z.number().int().nonnegative()).min(1).max(LIMITS.maxIds) }),
]);

const PromptsCell = z.strictObject({
  kind: z.literal('prompts'),
  id: CellIdSchema,
  prompts: z.array(Prompt).min(1).max(LIMITS.maxPrompts),
  /** Text prompts: prepend BOS (default: the tokenizer's rule). */
  prependBos: z.boolean().optional(),
});

const DatasetCell = z.strictObject({
  kind: z.literal('dataset'),
  id: CellIdSchema,
  dataset: z.union([z.strictObject({ builtin: z.string().min(1).max(100) }), ProbeDatasetSchema]),
});

const AnalysisCell = z.strictObject({
  kind: z.literal('analysis'),
  id: CellIdSchema,
  title: z.string().max(200).optional(),
  method: z.string().min(1).max(64),
  /** Validated by the method's own schema (validate.ts). */
  params: z.record(z.string(), z.unknown()).default({}),
  /** A model cell above; default the nearest one. */
  model: CellIdSchema.optional(),
  /** A prompts or dataset cell above; default the nearest one of the kind the method reads. */
  input: CellIdSchema.optional(),
});

const FigureCell = z.strictObject({
  kind: z.literal('figure'),
  id: CellIdSchema.optional(),
  /** The analysis cell whose result is drawn. */
  of: CellIdSchema,
  type: z.enum(FIGURE_TYPES),
  options: FigureOptionsSchema.default({}),
});

export const CellSchema = z.discriminatedUnion('kind', [MarkdownCell, ModelCell, PromptsCell, DatasetCell, AnalysisCell, FigureCell]);

export const NotebookSchema = z.strictObject({
  format: z.literal(NOTEBOOK_FORMAT),
  version: z.literal(NOTEBOOK_VERSION),
  title: z.string().min(1).max(200),
  description: z.string().max(LIMITS.maxMarkdownChars).optional(),
  cells: z.array(CellSchema).max(LIMITS.maxCells),
});

export type Notebook = z.infer<typeof NotebookSchema>;
/** What an author writes (defaults not yet applied). */
export type NotebookInput = z.input<typeof NotebookSchema>;
export type Cell = z.infer<typeof CellSchema>;
export type CellKind = Cell['kind'];
export type MarkdownCell = z.infer<typeof MarkdownCell>;
export type ModelCell = z.infer<typeof ModelCell>;
export type PromptsCell = z.infer<typeof PromptsCell>;
export type PromptItem = z.infer<typeof Prompt>;
export type DatasetCell = z.infer<typeof DatasetCell>;
export type AnalysisCell = z.infer<typeof AnalysisCell>;
export type FigureCell = z.infer<typeof FigureCell>;

/** How messages name a cell: `cell 3 (analysis "lens")`, counting from 1 as people do. */
export function cellName(cell: { kind: string; id?: string }, index: number): string {
  return `cell ${index + 1} (${cell.kind}${cell.id ? ` "${cell.id}"` : ''})`;
}
