/** One decoded direction: the tokens it promotes and the tokens it suppresses, side by side. */
import type { DecodedJson } from '../../../analysis/registry/decoded-json.ts';
import type { TokenValue } from './TokenValueList.tsx';
import { TokenValueList } from './TokenValueList.tsx';

export interface Decoded {
  readonly top: readonly TokenValue[];
  readonly bottom: readonly TokenValue[];
}

/** A method result's decoded tokens for the card (a value JSON could not hold shows as NaN). */
export function decodedOfJson(d: DecodedJson): Decoded {
  const tokens = (ts: DecodedJson['top']) => ts.map((t) => ({ id: t.id, token: t.token, value: t.value ?? NaN }));
  return { top: tokens(d.top), bottom: tokens(d.bottom) };
}

export function DecodedDirectionCard({ title, subtitle, decoded }: { title: string; subtitle?: string; decoded: Decoded }) {
  const scale = Math.max(...decoded.top.map((t) => Math.abs(t.value)), ...decoded.bottom.map((t) => Math.abs(t.value)), 1e-9);
  return (
    <div className="decoded-card">
      <div className="decoded-head">
        <span className="decoded-title">{title}</span>
        {subtitle && <span className="decoded-subtitle">{subtitle}</span>}
      </div>
      <div className="decoded-columns">
        <TokenValueList title="Promotes" items={decoded.top} scale={scale} />
        <TokenValueList title="Suppresses" items={decoded.bottom} scale={scale} />
      </div>
    </div>
  );
}
