/**
 * The prompts every view works on: the main (clean) prompt and an optional corrupted prompt for
 * patching, each tokenised by the worker as it is edited (debounced; latest edit wins).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { TokenInfo } from '../worker/contracts.ts';
import { DEFAULT_CORRUPTED, DEFAULT_PROMPT } from './builtin.ts';
import { useModel } from './model-state.tsx';
import { idListError, parseIdList } from '../prompt/id-list.ts';
import { recordEdit, redoEdit, startHistory, undoEdit } from './undo-history.ts';
import { useJob } from './use-job.ts';

const TOKENIZE_DELAY_MS = 150;
/** Typing within this long of the previous keystroke is one undo step. */
const UNDO_MERGE_MS = 800;

export interface PromptSlot {
  readonly text: string;
  setText(text: string): void;
  /** Takes back / re-applies the last edit of the text (undo-history.ts). */
  undo(): void;
  redo(): void;
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  /** Tokens of the current text, null while the first tokenisation runs or without a model. */
  readonly tokens: readonly TokenInfo[] | null;
  /** The tokens are for an older text (an edit is being tokenised). */
  readonly stale: boolean;
  readonly error: string | null;
}

export interface PromptState {
  readonly clean: PromptSlot;
  readonly corrupted: PromptSlot;
  readonly prependBos: boolean;
  setPrependBos(value: boolean): void;
  /** Whether the corrupted prompt is shown (patching views turn it on). */
  readonly pairMode: boolean;
  setPairMode(value: boolean): void;
}

function usePromptSlot(initial: string, prependBos: boolean, modelKey: string | null, hasTokenizer: boolean): PromptSlot {
  const [history, setHistory] = useState(() => startHistory(initial));
  const text = history.present;
  const setText = useCallback((next: string) => setHistory((h) => recordEdit(h, next, performance.now(), UNDO_MERGE_MS)), []);
  const undo = useCallback(() => setHistory(undoEdit), []);
  const redo = useCallback(() => setHistory(redoEdit), []);
  const canUndo = history.past.length > 0;
  const canRedo = history.future.length > 0;
  const [tokens, setTokens] = useState<readonly TokenInfo[] | null>(null);
  const [tokenizedText, setTokenizedText] = useState<string | null>(null);
  const job = useJob('tokenize');
  const { run } = job;
  useEffect(() => {
    if (modelKey === null) return;
    const timer = setTimeout(async () => {
      // A model without tokenizer.json takes token ids typed as "1, 2, 3".
      const result = hasTokenizer ? await run({ text, prependBos }) : parseIdList(text);
      if (result) {
        setTokens(result.tokens);
        setTokenizedText(text);
      }
    }, TOKENIZE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, prependBos, modelKey, hasTokenizer, run]);
  const error = hasTokenizer ? (job.state.status === 'failed' ? job.state.error.message : null) : idListError(text);
  const stale = tokenizedText !== text;
  return useMemo(() => ({ text, setText, undo, redo, canUndo, canRedo, tokens, stale, error }), [text, setText, undo, redo, canUndo, canRedo, tokens, stale, error]);
}

const PromptContext = createContext<PromptState | null>(null);

export function PromptProvider({ children }: { children: ReactNode }) {
  const { card } = useModel();
  const [prependBos, setPrependBos] = useState(true);
  const [pairMode, setPairMode] = useState(false);
  // Retokenise when the model changes (a different tokenizer).
  const modelKey = card ? `${card.label}@${card.loadMs}` : null;
  const hasTokenizer = card?.hasTokenizer ?? true;
  const clean = usePromptSlot(DEFAULT_PROMPT, prependBos, modelKey, hasTokenizer);
  const corrupted = usePromptSlot(DEFAULT_CORRUPTED, prependBos, pairMode ? modelKey : null, hasTokenizer);
  const value = useMemo<PromptState>(
    () => ({ clean, corrupted, prependBos, setPrependBos, pairMode, setPairMode }),
    [clean, corrupted, prependBos, pairMode],
  );
  return <PromptContext.Provider value={value}>{children}</PromptContext.Provider>;
}

export function usePrompt(): PromptState {
  const state = useContext(PromptContext);
  if (!state) throw new Error('usePrompt outside <PromptProvider>');
  return state;
}

/** Token ids of a slot, or null when not ready. */
export function idsOf(slot: PromptSlot): number[] | null {
  return slot.tokens ? slot.tokens.map((t) => t.id) : null;
}
