/**
 * Chooses one token the way every token input does (analysis/methods/token-input.ts, resolved
 * by the worker's tokenizer): an id (`378`), a quoted token string (`" time"`) or text that is
 * exactly one token (`Lily`). The resolved token and id are shown before anything runs;
 * anything that is not exactly one token is refused with the resolver's message, and the
 * parent is told (`problem`) so its Run button waits. Empty means automatic.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { useJob } from '../../app/use-job.ts';

export interface TokenPickerProps {
  readonly label: string;
  /** The id chosen (undefined: automatic or not resolved) and why it cannot be used yet (null: it can). */
  readonly onChange: (id: number | undefined, problem: string | null) => void;
  /** What empty means, e.g. "top prediction"; absent: a token is required. */
  readonly autoLabel?: string;
  readonly initialText?: string;
  readonly testId?: string;
}

export function TokenPicker({ label, onChange, autoLabel, initialText = '', testId }: TokenPickerProps) {
  const id = useId();
  const [text, setText] = useState(initialText);
  const job = useJob('resolveToken');
  const { run } = job;
  // Reported only when the text changes (the parent's callback may change identity each render).
  const report = useRef(onChange);
  report.current = onChange;
  useEffect(() => {
    if (text.trim() === '') {
      report.current(undefined, autoLabel === undefined ? `${label}: give a token` : null);
      return;
    }
    report.current(undefined, `${label}: checking “${text}”…`);
    const timer = setTimeout(async () => {
      const result = await run({ input: text });
      if (result) report.current(result.ok ? result.id : undefined, result.ok ? null : `${label}: ${result.message}`);
    }, 150);
    return () => clearTimeout(timer);
  }, [text, run, label, autoLabel]);
  const state = job.state;
  const empty = text.trim() === '';
  const refused = !empty && state.status === 'done' && !state.result.ok ? state.result.message : !empty && state.status === 'failed' ? state.error.message : null;
  const help = empty
    ? autoLabel === undefined
      ? 'an id, " token" or one token of text'
      : `auto: ${autoLabel}`
    : state.status === 'done' && state.result.ok
      ? `→ ${state.result.label}`
      : refused ?? '…';
  return (
    <div className="field field-sm token-picker">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className={refused ? 'input input-invalid' : 'input'}
        value={text}
        placeholder={autoLabel === undefined ? '' : 'auto'}
        aria-invalid={refused !== null}
        onChange={(e) => setText(e.currentTarget.value)}
        data-testid={testId}
      />
      <span className={refused ? 'field-help field-error' : 'field-help'} data-testid={testId ? `${testId}-resolved` : undefined} role={refused ? 'alert' : undefined}>
        {help}
      </span>
    </div>
  );
}
