/**
 * A JSON text area checked as you type: valid text is applied at once, invalid text stays in
 * the editor with the checker's messages (the notebook keeps its last valid value).
 */
import { useId, useState } from 'react';
import type { Parsed } from './cell-json.ts';

export interface JsonEditorProps<T> {
  readonly label: string;
  readonly initialText: string;
  parse(text: string): Parsed<T>;
  onValid(value: T): void;
  readonly rows?: number;
  readonly testId?: string;
}

export function JsonEditor<T>({ label, initialText, parse, onValid, rows = 8, testId }: JsonEditorProps<T>) {
  const id = useId();
  const [text, setText] = useState(initialText);
  const [errors, setErrors] = useState<readonly string[]>([]);
  return (
    <div className="field nb-json">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <textarea
        id={id}
        className={errors.length ? 'input nb-textarea nb-textarea-invalid' : 'input nb-textarea'}
        rows={rows}
        spellCheck={false}
        value={text}
        data-testid={testId}
        onChange={(e) => {
          const next = e.currentTarget.value;
          setText(next);
          const parsed = parse(next);
          setErrors(parsed.ok ? [] : parsed.errors);
          if (parsed.ok) onValid(parsed.value);
        }}
      />
      {errors.length > 0 && (
        <ul className="nb-field-errors" data-testid={testId ? `${testId}-errors` : undefined}>
          {errors.map((e, i) => (
            <li key={i}>{e}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
