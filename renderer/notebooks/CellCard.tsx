/** One cell's frame: number, kind, name, run state, the cell's actions, its body and its problems. */
import type { ReactNode } from 'react';
import { Button } from '../components/Button.tsx';
import type { CellInput } from './editor-state.ts';
import { CellStateBadge } from './CellStateBadge.tsx';
import { IssueList } from './IssueList.tsx';
import type { CellState } from './run-record.ts';

export interface CellActions {
  /** Runs this cell and every cell above it; absent for cells that show without running (markdown). */
  readonly onRun?: () => void;
  readonly onMoveUp?: () => void;
  readonly onMoveDown?: () => void;
  readonly onDelete: () => void;
  readonly runBlocked: string | null;
}

export interface CellCardProps {
  readonly index: number;
  readonly cell: CellInput;
  readonly state: CellState;
  /** Problems to list under the body (params problems show under their fields instead). */
  readonly issues: readonly string[];
  /** Whether the cell has any problem. */
  readonly invalid: boolean;
  readonly actions: CellActions;
  readonly children: ReactNode;
}

function cellLabel(cell: CellInput): string {
  if (cell.kind === 'analysis') return cell.title ? `${cell.id} · ${cell.title}` : cell.id;
  if (cell.kind === 'figure') return `${cell.id ? `${cell.id} · ` : ''}of ${cell.of}`;
  return cell.id ?? '';
}

export function CellCard({ index, cell, state, issues, invalid, actions, children }: CellCardProps) {
  return (
    <section className={`nb-cell nb-cell-${cell.kind}${state.kind === 'running' ? ' nb-cell-running' : ''}${invalid ? ' nb-cell-invalid' : ''}`} data-testid="nb-cell" data-kind={cell.kind} data-cell-id={cell.id ?? ''}>
      <header className="nb-cell-head">
        <span className="nb-cell-index">{index + 1}</span>
        <span className={`nb-kind nb-kind-${cell.kind}`}>{cell.kind}</span>
        <span className="nb-cell-name">{cellLabel(cell)}</span>
        <CellStateBadge state={state} />
        <div className="nb-cell-actions">
          {actions.onRun && (
            <Button size="sm" variant="ghost" onClick={actions.onRun} disabled={actions.runBlocked !== null} title={actions.runBlocked ?? 'Run this cell (and the cells above it)'} data-testid="cell-run">
              ▶ Run
            </Button>
          )}
          <Button size="sm" variant="ghost" onClick={actions.onMoveUp} disabled={!actions.onMoveUp} title="Move up" aria-label="Move up" data-testid="cell-up">
            ↑
          </Button>
          <Button size="sm" variant="ghost" onClick={actions.onMoveDown} disabled={!actions.onMoveDown} title="Move down" aria-label="Move down" data-testid="cell-down">
            ↓
          </Button>
          <Button size="sm" variant="ghost" onClick={actions.onDelete} title={cell.kind === 'analysis' ? 'Delete (with the figures drawn from it)' : 'Delete'} aria-label="Delete" data-testid="cell-delete">
            ✕
          </Button>
        </div>
      </header>
      <div className="nb-cell-body">{children}</div>
      <IssueList issues={issues} testId="cell-issues" />
      {state.kind === 'failed' && (
        <p className="nb-cell-error" role="alert" data-testid="cell-error">
          {state.message}
        </p>
      )}
    </section>
  );
}
