/** Labelled form controls with one look across the app. */
import { useId } from 'react';
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

export function NumberField({ label, value, onChange, min, max, step = 1, hint, width = 'xs', testId }: NumberFieldProps) {
  return (
    <FieldShell label={label} hint={hint} width={width}>
      {(id) => (
        <input
          id={id}
          className="input"
          type="number"
          value={Number.isFinite(value) ? value : ''}
          min={min}
          max={max}
          step={step}
          data-testid={testId}
          onChange={(e) => {
            const v = e.currentTarget.valueAsNumber;
            if (Number.isFinite(v)) onChange(clamp(v, min, max));
          }}
        />
      )}
    </FieldShell>
  );
}

function clamp(v: number, min?: number, max?: number): number {
  return Math.min(max ?? Infinity, Math.max(min ?? -Infinity, v));
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
