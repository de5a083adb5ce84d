/** What every cell body gets: its cell, where it is, the notebook around it, its run state. */
import type { NotebookInput } from '../../../notebooks/schema.ts';
import type { CellInput } from '../editor-state.ts';
import type { AnalysisOutput } from '../figure-output.ts';
import type { CellState } from '../run-record.ts';

export interface CellEnv {
  readonly doc: NotebookInput;
  /** The open model's name ("builtin:stories260K"), or null. */
  readonly openModel: string | null;
  /** The up-to-date output of the analysis cell with this id, if it ran. */
  stepOutput(id: string): AnalysisOutput | null;
}

export interface CellBodyProps<K extends CellInput['kind']> {
  readonly cell: Extract<CellInput, { kind: K }>;
  readonly index: number;
  readonly state: CellState;
  readonly env: CellEnv;
  onChange(cell: Extract<CellInput, { kind: K }>): void;
}
