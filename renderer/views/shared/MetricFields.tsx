/** The metric every attribution/intervention view reads: answer, wrong token, position. */
import { useRef } from 'react';
import { displayToken } from '../../prompt/token-display.ts';
import type { TokenInfo } from '../../worker/contracts.ts';
import { PositionSelect } from './PositionSelect.tsx';
import { TokenPicker } from './TokenPicker.tsx';

export interface MetricChoice {
  readonly answer: number | undefined;
  readonly wrong: number | undefined;
  readonly pos: number | undefined;
  /** Why the typed answer / wrong token cannot be used (not exactly one token, still resolving). */
  readonly answerProblem?: string | null;
  readonly wrongProblem?: string | null;
}

/** Why a run must wait for the metric's tokens, or null when they are usable. */
export function metricBlocked(m: MetricChoice): string | null {
  return m.answerProblem ?? m.wrongProblem ?? null;
}

export function MetricFields({ value, onChange, tokens, wrongAuto }: { value: MetricChoice; onChange: (v: MetricChoice) => void; tokens: readonly TokenInfo[] | null; wrongAuto: string }) {
  // Pickers report asynchronously; merge into the latest value, not the one of their render.
  const latest = useRef(value);
  latest.current = value;
  const set = (patch: Partial<MetricChoice>) => {
    latest.current = { ...latest.current, ...patch };
    onChange(latest.current);
  };
  return (
    <>
      <TokenPicker label="Answer token" onChange={(answer, answerProblem) => set({ answer, answerProblem })} autoLabel="top prediction" testId="metric-answer" />
      <TokenPicker label="Wrong token" onChange={(wrong, wrongProblem) => set({ wrong, wrongProblem })} autoLabel={wrongAuto} testId="metric-wrong" />
      <PositionSelect tokens={tokens} value={value.pos} onChange={(pos) => set({ pos })} />
    </>
  );
}

/** A token as registry results name it. */
export interface NamedToken {
  readonly id: number;
  readonly token: string;
}

/** A readable "logit‹·Lily› − logit‹·Tim› at position 19" for captions. */
export function metricCaption(answer: NamedToken, wrong: NamedToken | null, pos: number): string {
  const logit = (t: NamedToken) => `logit‹${displayToken(t.token)}›`;
  return wrong === null ? `${logit(answer)} at position ${pos}` : `${logit(answer)} − ${logit(wrong)} at position ${pos}`;
}

/** The metric's params as registry methods read them (tokens by id; position −1 = last). */
export function metricParams(m: MetricChoice): { answer?: number; wrong?: number; position: number } {
  return { ...(m.answer === undefined ? {} : { answer: m.answer }), ...(m.wrong === undefined ? {} : { wrong: m.wrong }), position: m.pos ?? -1 };
}
