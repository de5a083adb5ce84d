/**
 * An analysis cell's params: a form generated from the step's schema, or the params as JSON.
 * Both validate live through the step's own schema; its messages show under the fields.
 */
import { useMemo, useState } from 'react';
import { Button } from '../components/Button.tsx';
import type { RegisteredMethod } from '../../analysis/registry/contract.ts';
import { fieldIssues } from './check.ts';
import { parseParamsJson } from './cell-json.ts';
import { JsonEditor } from './JsonEditor.tsx';
import { paramFields, withParam } from '../../analysis/registry/param-fields.ts';
import { ParamInput } from './ParamInput.tsx';

export interface ParamsFormProps {
  readonly step: RegisteredMethod;
  readonly params: Readonly<Record<string, unknown>>;
  onChange(params: Record<string, unknown>): void;
}

export function ParamsForm({ step, params, onChange }: ParamsFormProps) {
  const [asJson, setAsJson] = useState(false);
  const fields = useMemo(() => paramFields(step), [step]);
  const issues = useMemo(() => fieldIssues(step, params), [step, params]);
  const known = new Set(fields.map((f) => f.name));
  const other = [...issues].filter(([name]) => !known.has(name)).flatMap(([name, list]) => list.map((m) => (name ? `${name}: ${m}` : m)));
  return (
    <div className="nb-params" data-testid="nb-params">
      <div className="nb-params-head">
        <span className="field-label">Parameters</span>
        <Button size="sm" variant="ghost" onClick={() => setAsJson((v) => !v)} data-testid="params-json-toggle">
          {asJson ? 'Form' : 'Edit as JSON'}
        </Button>
      </div>
      {asJson ? (
        <JsonEditor label={`${step.method} params`} initialText={JSON.stringify(params, null, 2)} parse={parseParamsJson} onValid={onChange} rows={6} testId="params-json" />
      ) : (
        <div className="param-row">
          {fields.map((f) => (
            <ParamInput key={f.name} field={f} value={params[f.name]} errors={issues.get(f.name) ?? []} onChange={(v) => onChange(withParam(params, f.name, v))} />
          ))}
        </div>
      )}
      {(asJson ? [...issues].flatMap(([name, list]) => list.map((m) => (name ? `${name}: ${m}` : m))) : other).map((m, i) => (
        <span key={i} className="nb-field-error" data-testid="param-error">
          {m}
        </span>
      ))}
    </div>
  );
}
