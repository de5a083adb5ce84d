/**
 * Chooses one token: type its text (the first token of what you type is used, no BOS), or
 * "#123" for an id. Empty means automatic (the view says what that picks).
 */
import { useEffect, useId, useRef, useState } from 'react';
import { useJob } from '../../app/use-job.ts';
import { displayToken } from '../../prompt/token-display.ts';

export interface TokenPickerProps {
  readonly label: string;
  readonly value: number | undefined;
  readonly onChange: (id: number | undefined) => void;
  /** What empty means, e.g. "top prediction". */
  readonly autoLabel: string;
  readonly initialText?: string;
  readonly testId?: string;
}

export function TokenPicker({ label, onChange, autoLabel, initialText = '', testId }: TokenPickerProps) {
  const id = useId();
  const [text, setText] = useState(initialText);
  const job = useJob('tokenize');
  const { run } = job;
  // Reported only when the text changes (the parent's callback may change identity each render).
  const report = useRef(onChange);
  report.current = onChange;
  useEffect(() => {
    const onChange = (id: number | undefined) => report.current(id);
    const direct = /^#(\d+)$/.exec(text.trim());
    if (text === '') {
      onChange(undefined);
      return;
    }
    if (direct) {
      onChange(Number(direct[1]));
      return;
    }
    const timer = setTimeout(async () => {
      const result = await run({ text, prependBos: false });
      onChange(result && result.tokens.length > 0 ? result.tokens[0].id : undefined);
    }, 150);
    return () => clearTimeout(timer);
  }, [text, run]);
  const tokens = job.state.status === 'done' && text !== '' && !text.startsWith('#') ? job.state.result.tokens : null;
  const help =
    text === ''
      ? `auto: ${autoLabel}`
      : text.startsWith('#')
        ? `token id ${text.slice(1)}`
        : tokens && tokens.length > 0
          ? `${displayToken(tokens[0].text)} · id ${tokens[0].id}${tokens.length > 1 ? ` (first of ${tokens.length})` : ''}`
          : '…';
  return (
    <div className="field field-sm">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input id={id} className="input" value={text} placeholder="auto" onChange={(e) => setText(e.currentTarget.value)} data-testid={testId} />
      <span className="field-help">{help}</span>
    </div>
  );
}
