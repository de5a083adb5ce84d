/** One generated params field: the control its schema calls for, its default as placeholder, and its problems. */
import { useId, useState } from 'react';
import type { ParamField } from '../../analysis/registry/param-fields.ts';
import { fieldText, parseFieldText } from '../../analysis/registry/param-fields.ts';

export interface ParamInputProps {
  readonly field: ParamField;
  readonly value: unknown;
  readonly errors: readonly string[];
  onChange(value: unknown): void;
}

function placeholder(field: ParamField): string {
  if (field.defaultValue !== undefined) return `default ${JSON.stringify(field.defaultValue)}`;
  return field.required ? 'required' : 'optional';
}

function hint(field: ParamField): string | undefined {
  if (field.kind === 'ref') return 'A prompt (or token): its index, or its label (token text)';
  if (field.kind === 'json') return 'JSON, e.g. [" she", " he"] or [0, 1]';
  if (field.kind === 'number' && (field.min !== undefined || field.max !== undefined)) return `${field.integer ? 'An integer' : 'A number'}${field.min !== undefined ? ` ≥ ${field.min}` : ''}${field.max !== undefined ? ` ≤ ${field.max}` : ''}`;
  return undefined;
}

function Control({ field, value, onChange, id, invalid }: ParamInputProps & { id: string; invalid: boolean }) {
  const [draftError, setDraftError] = useState<string | null>(null);
  const [draft, setDraft] = useState<string | null>(null);
  const cls = invalid || draftError ? 'input nb-input-invalid' : 'input';
  switch (field.kind) {
    case 'boolean': {
      const effective = value ?? field.defaultValue;
      return (
        <select id={id} className={`${cls} select`} value={effective === undefined ? '' : String(effective)} onChange={(e) => onChange(e.currentTarget.value === '' ? undefined : e.currentTarget.value === 'true')} data-testid={`param-${field.name}`}>
          {effective === undefined && <option value="">—</option>}
          <option value="true">yes</option>
          <option value="false">no</option>
        </select>
      );
    }
    case 'choice': {
      const effective = value ?? field.defaultValue;
      return (
        <select id={id} className={`${cls} select`} value={typeof effective === 'string' ? effective : ''} onChange={(e) => onChange(e.currentTarget.value || undefined)} data-testid={`param-${field.name}`}>
          {typeof effective !== 'string' && <option value="">—</option>}
          {field.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
    }
    case 'json':
      return (
        <>
          <input
            id={id}
            className={`${cls} mono`}
            value={draft ?? fieldText(field, value)}
            placeholder={placeholder(field)}
            spellCheck={false}
            data-testid={`param-${field.name}`}
            onChange={(e) => {
              const text = e.currentTarget.value;
              const parsed = parseFieldText(field, text);
              setDraft(parsed.ok ? null : text);
              setDraftError(parsed.ok ? null : parsed.error);
              if (parsed.ok) onChange(parsed.value);
            }}
          />
          {draftError && <span className="nb-field-error">{draftError}</span>}
        </>
      );
    default: {
      const parsed = (text: string) => parseFieldText(field, text);
      return (
        <input
          id={id}
          className={field.kind === 'ref' || field.kind === 'text' ? `${cls} nb-input-text` : cls}
          type={field.kind === 'number' ? 'number' : 'text'}
          value={fieldText(field, value)}
          placeholder={placeholder(field)}
          spellCheck={false}
          data-testid={`param-${field.name}`}
          onChange={(e) => {
            const result = parsed(e.currentTarget.value);
            if (result.ok) onChange(result.value);
          }}
        />
      );
    }
  }
}

export function ParamInput(props: ParamInputProps) {
  const id = useId();
  const { field, errors } = props;
  const wide = field.kind === 'json' ? 'field-lg' : 'field-sm';
  return (
    <div className={`field ${wide} nb-param`} data-param={field.name}>
      <label htmlFor={id} className="field-label" title={hint(field)}>
        {field.name}
        {field.required && <span className="nb-required"> *</span>}
      </label>
      <Control {...props} id={id} invalid={errors.length > 0} />
      {errors.map((e, i) => (
        <span key={i} className="nb-field-error" data-testid="param-error">
          {e}
        </span>
      ))}
    </div>
  );
}
