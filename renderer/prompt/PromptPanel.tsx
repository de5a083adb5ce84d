/** The prompt area above every analysis: the clean prompt, and the corrupted one in pair mode. */
import { useModel } from '../app/model-state.tsx';
import { usePrompt } from '../app/prompt-state.tsx';
import { Checkbox } from '../components/Fields.tsx';
import { Message } from '../components/Message.tsx';
import { InterventionBadge } from '../interventions/InterventionBadge.tsx';
import { changedPositions, pairProblem } from './pair.ts';
import { PromptEditor } from './PromptEditor.tsx';

export function PromptPanel() {
  const { card } = useModel();
  const prompt = usePrompt();
  const { clean, corrupted, pairMode } = prompt;
  const changed = pairMode ? changedPositions(clean.tokens, corrupted.tokens) : undefined;
  const problem = pairMode ? pairProblem(clean.tokens, corrupted.tokens) : null;
  return (
    <section className="prompt-panel" data-testid="prompt-panel">
      <div className="prompt-panel-options">
        <Checkbox label="Prepend BOS" checked={prompt.prependBos} onChange={prompt.setPrependBos} hint="Put the beginning-of-sequence token first" />
        <Checkbox label="Corrupted prompt (for patching)" checked={pairMode} onChange={prompt.setPairMode} testId="pair-mode" />
        <InterventionBadge />
      </div>
      <div className={pairMode ? 'prompt-pair' : undefined}>
        <PromptEditor label={pairMode ? 'Clean prompt' : 'Prompt'} slot={clean} nCtx={card?.nCtx ?? null} changed={changed} testId="prompt" />
        {pairMode && <PromptEditor label="Corrupted prompt" slot={corrupted} nCtx={card?.nCtx ?? null} changed={changed} testId="corrupted" />}
      </div>
      {pairMode && problem && corrupted.tokens && clean.tokens && <Message tone="warning">{problem}</Message>}
    </section>
  );
}
