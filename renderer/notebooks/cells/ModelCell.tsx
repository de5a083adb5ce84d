/** A model cell: the model the steps below run on; the app runs notebooks on the open model. */
import { Button } from '../../components/Button.tsx';
import type { CellBodyProps } from './types.ts';

export function ModelCell({ cell, state, env, onChange }: CellBodyProps<'model'>) {
  const mismatch = env.openModel !== null && cell.ref !== env.openModel;
  const output = state.kind === 'done' && state.output.kind === 'model' ? state.output : null;
  return (
    <div className="param-row">
      <div className="field field-md">
        <label className="field-label" htmlFor={`model-${cell.id}`}>
          Model
        </label>
        <input id={`model-${cell.id}`} className="input mono" value={cell.ref} spellCheck={false} onChange={(e) => onChange({ ...cell, ref: e.currentTarget.value })} data-testid="model-ref" />
      </div>
      {mismatch && (
        <div className="nb-model-note">
          <span>The open model is {env.openModel}; notebooks run on the open model.</span>
          <Button size="sm" onClick={() => onChange({ ...cell, ref: env.openModel! })} data-testid="use-open-model">
            Use the open model
          </Button>
        </div>
      )}
      {output && (
        <span className="nb-meta" title={output.identity}>
          identity {output.identity.slice(0, 40)}…
        </span>
      )}
    </div>
  );
}
