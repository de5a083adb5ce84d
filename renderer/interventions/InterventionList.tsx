/**
 * The prompt workspace's intervention list: add zero / mean / resample / replace / add / scale /
 * uniform on a hook of the open model (optionally a head, position or neuron), turn each on or
 * off, reorder, remove; above it the model with its interventions as the engine runs them.
 */
import { useState } from 'react';
import { describeIntervention } from '../../analysis/hooks/intervention-summary.ts';
import { Button } from '../components/Button.tsx';
import { SelectField } from '../components/Fields.tsx';
import { Message } from '../components/Message.tsx';
import { Panel } from '../components/Panel.tsx';
import { PROMPT_CACHES } from '../worker/intervention-contracts.ts';
import type { PromptCacheName } from '../worker/intervention-contracts.ts';
import type { InterventionDraft, InterventionEntry, InterventionOp } from './draft.ts';
import { draftToIntervention, OP_HINTS, OPS } from './draft.ts';
import { useInterventions } from './intervention-state.tsx';
import type { InterventionState } from './intervention-state.tsx';
import './interventions.css';

const HOOK_LIST_ID = 'intervention-hook-names';
const EMPTY: InterventionDraft = { hook: '', op: 'zero', head: '', pos: '', neuron: '', factor: '0', vector: '', prompt: PROMPT_CACHES.corrupted };

function TextInput({ label, value, onChange, placeholder, list, testId, width = 'sm' }: { label: string; value: string; onChange: (v: string) => void; placeholder?: string; list?: string; testId: string; width?: 'xs' | 'sm' | 'lg' }) {
  return (
    <label className={`field field-${width}`}>
      <span className="field-label">{label}</span>
      <input className="input" value={value} placeholder={placeholder} list={list} spellCheck={false} data-testid={testId} onChange={(e) => onChange(e.currentTarget.value)} />
    </label>
  );
}

function Problems({ problems, testId }: { problems: readonly string[]; testId: string }) {
  if (problems.length === 0) return null;
  return (
    <ul className="intervention-problems" data-testid={testId}>
      {problems.map((p) => (
        <li key={p}>{p}</li>
      ))}
    </ul>
  );
}

function AddForm({ state }: { state: InterventionState }) {
  const [draft, setDraft] = useState<InterventionDraft>(EMPTY);
  const set = (patch: Partial<InterventionDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const point = state.points?.find((p) => p.name === draft.hook.trim()) ?? null;
  const { intervention, problems } = draftToIntervention(draft);
  const all = intervention ? [...problems, ...state.problemsOf(intervention)] : problems;
  const usesPrompt = draft.op === 'mean' || draft.op === 'resample' || draft.op === 'replace';
  return (
    <div className="intervention-add" data-testid="intervention-form">
      <div className="param-row">
        <TextInput label="Hook" value={draft.hook} onChange={(hook) => set({ hook })} placeholder="blocks.0.attn.hook_z" list={HOOK_LIST_ID} testId="intervention-hook" width="lg" />
        <datalist id={HOOK_LIST_ID}>
          {state.points?.map((p) => (
            <option key={p.name} value={p.name} />
          ))}
        </datalist>
        <SelectField<InterventionOp> label="Op" value={draft.op} options={OPS.map((op) => ({ value: op, label: op }))} onChange={(op) => set({ op })} hint={OP_HINTS[draft.op]} testId="intervention-op" width="xs" />
        <TextInput label="Head" value={draft.head} onChange={(head) => set({ head })} placeholder="all" testId="intervention-head" width="xs" />
        <TextInput label="Position" value={draft.pos} onChange={(pos) => set({ pos })} placeholder="all" testId="intervention-pos" width="xs" />
        <TextInput label="Neuron / dim" value={draft.neuron} onChange={(neuron) => set({ neuron })} placeholder="all" testId="intervention-neuron" width="xs" />
        {draft.op === 'scale' && <TextInput label="Factor" value={draft.factor} onChange={(factor) => set({ factor })} testId="intervention-factor" width="xs" />}
        {draft.op === 'add' && <TextInput label="Vector" value={draft.vector} onChange={(vector) => set({ vector })} placeholder="0.1, -0.2, …" testId="intervention-vector" width="lg" />}
        {usesPrompt && (
          <SelectField<PromptCacheName>
            label={draft.op === 'mean' ? 'Mean over' : 'Copy from'}
            value={draft.prompt}
            options={[
              { value: PROMPT_CACHES.corrupted, label: 'corrupted prompt' },
              { value: PROMPT_CACHES.clean, label: 'clean prompt' },
            ]}
            onChange={(prompt) => set({ prompt })}
            testId="intervention-prompt"
          />
        )}
        <Button
          variant="primary"
          size="sm"
          disabled={!intervention || all.length > 0}
          onClick={() => {
            if (!intervention) return;
            state.add(intervention);
            setDraft((d) => ({ ...d, head: '', pos: '', neuron: '' }));
          }}
          data-testid="intervention-add"
        >
          Add
        </Button>
      </div>
      <p className="intervention-hint">
        {point ? `${point.name}: axes ${point.axes.join(', ')}. ` : ''}
        {draft.op}: {OP_HINTS[draft.op]}.
      </p>
      {draft.hook.trim() !== '' && <Problems problems={all} testId="intervention-form-problems" />}
    </div>
  );
}

function EntryRow({ entry, index, count, state }: { entry: InterventionEntry; index: number; count: number; state: InterventionState }) {
  const problems = state.problemsOf(entry.intervention);
  const text = describeIntervention(entry.intervention);
  return (
    <li className={entry.enabled ? 'intervention-entry' : 'intervention-entry intervention-off'} data-testid="intervention-entry">
      <label className="checkbox" title={entry.enabled ? 'On: every run applies it' : 'Off: kept in the list, not applied'}>
        <input type="checkbox" checked={entry.enabled} onChange={() => state.toggle(entry.id)} data-testid="intervention-toggle" aria-label={`Apply ${text}`} />
        <span className="checkbox-box" aria-hidden="true" />
      </label>
      <span className="intervention-text mono">{text}</span>
      <span className="intervention-actions">
        <Button size="sm" variant="ghost" disabled={index === 0} onClick={() => state.move(entry.id, -1)} aria-label={`Move ${text} up`} data-testid="intervention-up">
          ↑
        </Button>
        <Button size="sm" variant="ghost" disabled={index === count - 1} onClick={() => state.move(entry.id, 1)} aria-label={`Move ${text} down`} data-testid="intervention-down">
          ↓
        </Button>
        <Button size="sm" variant="ghost" onClick={() => state.remove(entry.id)} aria-label={`Remove ${text}`} data-testid="intervention-remove">
          ✕
        </Button>
      </span>
      <Problems problems={problems} testId="intervention-entry-problems" />
    </li>
  );
}

export function InterventionList() {
  const state = useInterventions();
  const { applied, entries } = state;
  return (
    <Panel
      title="Interventions"
      subtitle="Applied, in order, to every run of every view until turned off"
      className="intervention-panel"
      testId="interventions"
    >
      <pre className="intervention-summary" data-testid="intervention-summary" aria-busy={state.pending}>
        {applied ? applied.summary : 'No model open yet.'}
      </pre>
      {state.pending && <p className="intervention-hint">Applying…</p>}
      {state.error && <Message tone="error">The engine kept the previous interventions: {state.error}</Message>}
      {entries.length > 0 && (
        <ol className="intervention-list">
          {entries.map((e, i) => (
            <EntryRow key={e.id} entry={e} index={i} count={entries.length} state={state} />
          ))}
        </ol>
      )}
      <AddForm state={state} />
      <p className="intervention-hint">
        Resample and replace copy activations from, and mean averages over, this workspace’s clean or corrupted prompt (run on the model without interventions); the corrupted prompt needs “Corrupted prompt” turned on. A copied activation must have the same number of tokens as the run it goes into. Notebooks are the exception: they run the model as the notebook states (its own run-model steps), so that they replay the same everywhere.
      </p>
    </Panel>
  );
}
