/** An analysis cell: its id, title and method, and the method's params form. */
import { METHODS } from '../../../analysis/registry/registry.ts';
import { ParamsForm } from '../ParamsForm.tsx';
import type { CellBodyProps } from './types.ts';

const METHOD_CHOICES = [...METHODS.values()].map((s) => ({ value: s.method, label: s.title }));

export function AnalysisCell({ cell, onChange }: CellBodyProps<'analysis'>) {
  const step = METHODS.get(cell.method);
  const params = cell.params ?? {};
  return (
    <div className="nb-analysis">
      <div className="param-row">
        <div className="field field-sm">
          <label className="field-label" htmlFor={`id-${cell.id}`}>
            Id
          </label>
          <input id={`id-${cell.id}`} className="input mono" value={cell.id} spellCheck={false} onChange={(e) => onChange({ ...cell, id: e.currentTarget.value })} data-testid="analysis-id" />
        </div>
        <div className="field field-md">
          <label className="field-label" htmlFor={`method-${cell.id}`}>
            Method
          </label>
          <select
            id={`method-${cell.id}`}
            className="input select"
            value={cell.method}
            data-testid="analysis-method"
            onChange={(e) => onChange({ ...cell, method: e.currentTarget.value, params: {} })}
          >
            {!step && <option value={cell.method}>{cell.method} (unknown)</option>}
            {METHOD_CHOICES.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-lg">
          <label className="field-label" htmlFor={`title-${cell.id}`}>
            Title
          </label>
          <input id={`title-${cell.id}`} className="input" value={cell.title ?? ''} placeholder={step?.title ?? ''} onChange={(e) => onChange({ ...cell, title: e.currentTarget.value || undefined })} data-testid="analysis-title" />
        </div>
      </div>
      {step && <p className="nb-meta">{step.description}</p>}
      {step && <ParamsForm key={cell.method} step={step} params={params} onChange={(p) => onChange({ ...cell, params: p })} />}
    </div>
  );
}
