/** The body component for a cell's kind. */
import type { CellInput } from './editor-state.ts';
import { AnalysisCell } from './cells/AnalysisCell.tsx';
import { FigureCell } from './cells/FigureCell.tsx';
import { InputCell } from './cells/InputCell.tsx';
import { MarkdownCell } from './cells/MarkdownCell.tsx';
import { ModelCell } from './cells/ModelCell.tsx';
import type { CellEnv } from './cells/types.ts';
import type { CellState } from './run-record.ts';

export interface CellBodyProps {
  readonly cell: CellInput;
  readonly index: number;
  readonly state: CellState;
  readonly env: CellEnv;
  onChange(cell: CellInput): void;
}

export function CellBody({ cell, ...rest }: CellBodyProps) {
  switch (cell.kind) {
    case 'markdown':
      return <MarkdownCell cell={cell} {...rest} />;
    case 'model':
      return <ModelCell cell={cell} {...rest} />;
    case 'prompts':
    case 'dataset':
      return <InputCell cell={cell} onChange={rest.onChange} />;
    case 'analysis':
      return <AnalysisCell cell={cell} {...rest} />;
    case 'figure':
      return <FigureCell cell={cell} {...rest} />;
  }
}
