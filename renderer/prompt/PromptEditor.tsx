/** One prompt: the text, its tokens below, the count and any tokenizer message. */
import type { PromptSlot } from '../app/prompt-state.tsx';
import { undoKey } from '../app/undo-history.ts';
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
        <span className="prompt-undo">
          <button type="button" className="link-button" onClick={slot.undo} disabled={!slot.canUndo} title="Undo the last edit (Ctrl+Z)" data-testid={`${testId}-undo`}>
            Undo
          </button>
          <button type="button" className="link-button" onClick={slot.redo} disabled={!slot.canRedo} title="Redo (Ctrl+Shift+Z)" data-testid={`${testId}-redo`}>
            Redo
          </button>
        </span>
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
        onKeyDown={(e) => {
          // The app's own history: it also covers edits the textarea never saw (loads, examples).
          const action = undoKey(e);
          if (!action) return;
          e.preventDefault();
          if (action === 'undo') slot.undo();
          else slot.redo();
        }}
        data-testid={`${testId}-text`}
      />
      {slot.error && <Message tone="error">{slot.error}</Message>}
      {tooLong && <Message tone="warning">The prompt is longer than the model's context of {nCtx} tokens.</Message>}
      {slot.tokens && <TokenStrip tokens={slot.tokens} changed={changed} dimmed={slot.stale} testId={`${testId}-tokens`} />}
    </div>
  );
}
