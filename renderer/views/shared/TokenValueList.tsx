/** Tokens with a signed value and a bar (decoded directions: promoted and suppressed tokens). */
import { displayToken } from '../../prompt/token-display.ts';

export interface TokenValue {
  readonly id: number;
  readonly token: string | null;
  readonly value: number;
}

export function TokenValueList({ title, items, scale }: { title: string; items: readonly TokenValue[]; scale: number }) {
  return (
    <div className="token-values">
      <div className="token-values-title">{title}</div>
      <ol className="token-values-list">
        {items.map((t) => (
          <li key={t.id} className="token-value-row">
            <span className="token-value-text" title={`id ${t.id}`}>
              {displayToken(t.token ?? `#${t.id}`)}
            </span>
            <span className="token-value-bar" aria-hidden="true">
              <span className={t.value >= 0 ? 'token-value-fill pos' : 'token-value-fill neg'} style={{ width: `${Math.min(100, (100 * Math.abs(t.value)) / (scale || 1))}%` }} />
            </span>
            <span className="token-value-number">{t.value.toFixed(3)}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
