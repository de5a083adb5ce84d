/** A segmented control: a small set of mutually exclusive options shown side by side. */
export interface SegmentedProps<T extends string> {
  /** Shown above the options; '' for none (then give `ariaLabel` when a label beside names it). */
  readonly label: string;
  readonly ariaLabel?: string;
  readonly value: T;
  readonly options: readonly { readonly value: T; readonly label: string }[];
  readonly onChange: (value: T) => void;
}

export function Segmented<T extends string>({ label, ariaLabel, value, options, onChange }: SegmentedProps<T>) {
  return (
    <div className="field">
      {label && <span className="field-label">{label}</span>}
      <div className="segmented" role="radiogroup" aria-label={label || ariaLabel || undefined}>
        {options.map((o) => (
          <button
            key={o.value}
            type="button"
            role="radio"
            aria-checked={o.value === value}
            className={o.value === value ? 'segment segment-on' : 'segment'}
            onClick={() => onChange(o.value)}
          >
            {o.label}
          </button>
        ))}
      </div>
    </div>
  );
}
