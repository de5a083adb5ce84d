/** One prompt: the text, its tokens below, the count and any tokenizer message. */
import type { PromptSlot } from '../app/prompt-state.tsx';
import { Message } from '../components/Message.tsx';
import { TokenStrip } from './TokenStrip.tsx';

export interface PromptEditorProps {
  readonly label: string;
  readonly slot: PromptSlot;
  readonly nCtx: number | null;
  readonly changed?: ReadonlySet<number>;
  readonly testId: string;
}

export function PromptEditor({ label, slot, nCtx, changed, testId }: PromptEditorProps) {
  const count = slot.tokens?.length ?? 0;
  const tooLong = nCtx !== null && count > nCtx;
  return (
    <div className="prompt-editor">
      <div className="prompt-editor-head">
        <label className="field-label" htmlFor={`${testId}-text`}>
          {label}
        </label>
        <span className={tooLong ? 'token-count token-count-over' : 'token-count'} data-testid={`${testId}-count`}>
          {slot.tokens ? `${count} tokens${nCtx !== null ? ` / ${nCtx}` : ''}` : '…'}
        </span>
      </div>
      <textarea
        id={`${testId}-text`}
        className="prompt-text"
        value={slot.text}
        rows={2}
        spellCheck={false}
        onChange={(e) => slot.setText(e.currentTarget.value)}
        data-testid={`${testId}-text`}
      />
      {slot.error && <Message tone="error">{slot.error}</Message>}
      {tooLong && <Message tone="warning">The prompt is longer than the model's context of {nCtx} tokens.</Message>}
      {slot.tokens && <TokenStrip tokens={slot.tokens} changed={changed} dimmed={slot.stale} testId={`${testId}-tokens`} />}
    </div>
  );
}
