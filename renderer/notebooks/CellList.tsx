/** The notebook's cells in order, each in its card, with "Add cell" between them and at the end. */
import { Fragment, useMemo } from 'react';
import { CellBody } from './CellBody.tsx';
import { CellCard } from './CellCard.tsx';
import { newCell } from './cell-templates.ts';
import type { CellEnv } from './cells/types.ts';
import { issueText } from './check.ts';
import type { AnalysisOutput } from './figure-output.ts';
import { InsertBar } from './InsertBar.tsx';
import type { LiveRun, RunRecord } from './run-record.ts';
import { cellState } from './run-record.ts';
import type { NotebookEditor } from './use-notebook-editor.ts';

export interface CellListProps {
  readonly editor: NotebookEditor;
  readonly record: RunRecord;
  readonly live: LiveRun | null;
  readonly openModel: string | null;
  /** Why cells cannot run now, or null. */
  readonly runBlocked: string | null;
  onRun(upTo: number): void;
}

export function CellList({ editor, record, live, openModel, runBlocked, onRun }: CellListProps) {
  const { state, check, signatures, edit } = editor;
  const { doc, keys } = state;
  // A cell runs with the cells above it, so only problems up to it stop it.
  const firstProblem = check.general.length > 0 ? 0 : Math.min(Infinity, ...check.byCell.keys());
  const states = useMemo(() => keys.map((key, i) => cellState(key, signatures[i], record, live)), [keys, signatures, record, live]);
  const env = useMemo<CellEnv>(() => {
    const steps = new Map<string, AnalysisOutput>();
    states.forEach((s) => {
      if (s.kind === 'done' && !s.outdated && s.output.kind === 'analysis') steps.set(s.output.id, s.output);
    });
    return { doc, openModel, stepOutput: (id) => steps.get(id) ?? null };
  }, [doc, openModel, states]);

  return (
    <div className="nb-cells" data-testid="nb-cells">
      {doc.cells.map((cell, i) => {
        const issues = (check.byCell.get(i) ?? []).map((issue) => issueText(issue, cell));
        // An analysis cell's params problems show under its fields.
        const shown = cell.kind === 'analysis' ? issues.filter((t) => !t.startsWith('params')) : issues;
        return (
          <Fragment key={keys[i]}>
            {i > 0 && <InsertBar onInsert={(kind) => edit({ type: 'insert', index: i, cell: newCell(kind, doc, i, openModel) })} />}
            <CellCard
              index={i}
              cell={cell}
              state={states[i]}
              issues={shown}
              invalid={issues.length > 0}
              actions={{
                onRun: cell.kind === 'markdown' ? undefined : () => onRun(i),
                runBlocked: runBlocked ?? (i >= firstProblem ? 'Fix the problems above first' : null),
                onMoveUp: i > 0 ? () => edit({ type: 'move', from: i, to: i - 1 }) : undefined,
                onMoveDown: i < doc.cells.length - 1 ? () => edit({ type: 'move', from: i, to: i + 1 }) : undefined,
                onDelete: () => edit({ type: 'delete', index: i }),
              }}
            >
              <CellBody cell={cell} index={i} state={states[i]} env={env} onChange={(next) => edit({ type: 'replace', index: i, cell: next })} />
            </CellCard>
          </Fragment>
        );
      })}
      <InsertBar always onInsert={(kind) => edit({ type: 'insert', index: doc.cells.length, cell: newCell(kind, doc, doc.cells.length, openModel) })} />
    </div>
  );
}
