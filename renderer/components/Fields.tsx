/** Labelled form controls with one look across the app. */
import { useEffect, useId, useState } from 'react';
import { useReportFieldProblem } from './field-problems.tsx';
import type { ReactNode } from 'react';

interface FieldShellProps {
  readonly label: string;
  readonly hint?: string;
  readonly children: (id: string) => ReactNode;
  readonly width?: 'xs' | 'sm' | 'md' | 'lg';
}

function FieldShell({ label, hint, children, width = 'sm' }: FieldShellProps) {
  const id = useId();
  return (
    <div className={`field field-${width}`}>
      <label htmlFor={id} className="field-label" title={hint}>
        {label}
      </label>
      {children(id)}
    </div>
  );
}

export interface NumberFieldProps {
  readonly label: string;
  readonly value: number;
  readonly onChange: (value: number) => void;
  readonly min?: number;
  readonly max?: number;
  readonly step?: number;
  readonly hint?: string;
  readonly width?: 'xs' | 'sm' | 'md';
  readonly testId?: string;
}

/**
 * Why a typed number cannot be used, or null: not a number, outside [min, max], or not a
 * multiple of an integer step. Out-of-range values are refused with the range, never clamped.
 */
export function numberProblem(label: string, text: string, min?: number, max?: number, step = 1): string | null {
  if (text.trim() === '') return `${label}: enter a number`;
  const v = Number(text);
  if (!Number.isFinite(v)) return `${label}: “${text}” is not a number`;
  if ((min !== undefined && v < min) || (max !== undefined && v > max)) {
    const range = min !== undefined && max !== undefined ? `from ${min} to ${max}` : min !== undefined ? `${min} or more` : `${max} or less`;
    return `${label}: ${v} is out of range (${range})`;
  }
  if (Number.isInteger(step) && !Number.isInteger(v)) return `${label}: ${v} is not a whole number`;
  return null;
}

export function NumberField({ label, value, onChange, min, max, step = 1, hint, width = 'xs', testId }: NumberFieldProps) {
  const key = useId();
  // The typed text, kept even when refused, so the field shows what was typed beside the reason.
  const [text, setText] = useState(Number.isFinite(value) ? String(value) : '');
  useEffect(() => {
    setText((t) => (Number(t) === value && t.trim() !== '' ? t : Number.isFinite(value) ? String(value) : ''));
  }, [value]);
  const problem = numberProblem(label, text, min, max, step);
  useReportFieldProblem(key, problem);
  return (
    <FieldShell label={label} hint={hint} width={width}>
      {(id) => (
        <>
          <input
            id={id}
            className={problem ? 'input input-invalid' : 'input'}
            type="number"
            value={text}
            min={min}
            max={max}
            step={step}
            aria-invalid={problem !== null}
            data-testid={testId}
            onChange={(e) => {
              const next = e.currentTarget.value;
              setText(next);
              if (numberProblem(label, next, min, max, step) === null) onChange(Number(next));
            }}
          />
          {problem && (
            <span className="field-help field-error" role="alert">
              {problem.slice(label.length + 2)}
            </span>
          )}
        </>
      )}
    </FieldShell>
  );
}

export interface SelectFieldProps<T extends string> {
  readonly label: string;
  readonly value: T;
  readonly options: readonly { readonly value: T; readonly label: string }[];
  readonly onChange: (value: T) => void;
  readonly hint?: string;
  readonly width?: 'xs' | 'sm' | 'md' | 'lg';
  readonly testId?: string;
}

export function SelectField<T extends string>({ label, value, options, onChange, hint, width = 'sm', testId }: SelectFieldProps<T>) {
  return (
    <FieldShell label={label} hint={hint} width={width}>
      {(id) => (
        <select
          id={id}
          className="input select"
          value={value}
          data-testid={testId}
          onChange={(e) => onChange(options.find((o) => o.value === e.currentTarget.value)!.value)}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}

export interface CheckboxProps {
  readonly label: string;
  readonly checked: boolean;
  readonly onChange: (checked: boolean) => void;
  readonly hint?: string;
  readonly testId?: string;
}

export function Checkbox({ label, checked, onChange, hint, testId }: CheckboxProps) {
  return (
    <label className="checkbox" title={hint}>
      <input type="checkbox" checked={checked} data-testid={testId} onChange={(e) => onChange(e.currentTarget.checked)} />
      <span className="checkbox-box" aria-hidden="true" />
      <span>{label}</span>
    </label>
  );
}
