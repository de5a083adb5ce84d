/**
 * A figure cell: which step, view and chart type it draws, and the figure itself in the app's
 * figure card (export to SVG/PNG/CSV/JSON and Pin to project, as everywhere in the app).
 */
import { useMemo } from 'react';
import { METHODS } from '../../../analysis/registry/registry.ts';
import { FIGURE_TYPES_FOR } from '../../../analysis/registry/views.ts';
import type { FigureType } from '../../../analysis/registry/views.ts';
import { EmptyState } from '../../components/Message.tsx';
import { FigureCard } from '../../figures/FigureCard.tsx';
import { figureExports, figureSpec, figureTitle } from '../figure-output.ts';
import type { FigureOutput } from '../figure-output.ts';
import type { CellEnv, CellBodyProps } from './types.ts';

function stepsAbove(env: CellEnv, index: number) {
  return env.doc.cells.slice(0, index).flatMap((c) => (c.kind === 'analysis' ? [c] : []));
}

function Select<T extends string>({ label, value, options, onChange, testId }: { label: string; value: T; options: readonly T[]; onChange: (v: T) => void; testId: string }) {
  const all = options.includes(value) ? options : [value, ...options];
  return (
    <div className="field field-sm">
      <span className="field-label">{label}</span>
      <select className="input select" value={value} aria-label={label} onChange={(e) => onChange(all.find((o) => o === e.currentTarget.value) ?? value)} data-testid={testId}>
        {all.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}

function Figure({ output, env }: { output: FigureOutput; env: CellEnv }) {
  const spec = useMemo(() => figureSpec(output), [output]);
  const step = env.stepOutput(output.of);
  const stepCell = env.doc.cells.find((c) => c.kind === 'analysis' && c.id === output.of);
  const checked = stepCell?.kind === 'analysis' ? METHODS.get(stepCell.method)?.checkParams(stepCell.params ?? {}) : undefined;
  return (
    <FigureCard
      title={figureTitle(output)}
      caption={`${output.of} · ${output.view} · ${output.type}`}
      spec={spec}
      testId="nb-figure"
      revision={`${output.of}-${output.view}-${output.type}`}
      exports={figureExports(env.doc.title, output, step, checked?.ok ? checked.value : undefined)}
    />
  );
}

export function FigureCell({ cell, index, state, env, onChange }: CellBodyProps<'figure'>) {
  const steps = stepsAbove(env, index);
  const stepCell = steps.find((s) => s.id === cell.of);
  const step = stepCell ? METHODS.get(stepCell.method) : undefined;
  const view = cell.options?.view ?? step?.defaultFigure.view ?? '';
  const viewKind = step?.views[view];
  const types: readonly FigureType[] = viewKind ? FIGURE_TYPES_FOR[viewKind] : [cell.type];
  const output = state.kind === 'done' && state.output.kind === 'figure' ? state.output : null;
  const setView = (v: string) => {
    const kind = step?.views[v];
    const type = kind && !FIGURE_TYPES_FOR[kind].includes(cell.type) ? FIGURE_TYPES_FOR[kind][0] : cell.type;
    onChange({ ...cell, type, options: { ...cell.options, view: v } });
  };
  return (
    <div className="nb-figure-cell">
      <div className="param-row">
        <Select label="Of step" value={cell.of} options={steps.map((s) => s.id)} onChange={(of) => onChange({ ...cell, of })} testId="figure-of" />
        <Select label="View" value={view} options={step ? Object.keys(step.views) : [view]} onChange={setView} testId="figure-view" />
        <Select label="Chart" value={cell.type} options={types} onChange={(type) => onChange({ ...cell, type })} testId="figure-type" />
      </div>
      {output ? (
        <div className={state.kind === 'done' && state.outdated ? 'nb-figure-outdated' : undefined}>
          <Figure output={output} env={env} />
        </div>
      ) : (
        <EmptyState>Run the notebook (or this cell) to draw this figure.</EmptyState>
      )}
    </div>
  );
}
