/** The model's next-token distribution as a ranked list with probability bars. */
import { displayToken } from '../../prompt/token-display.ts';
import type { NextTokenResult } from '../../worker/contracts.ts';

export function NextTokenList({ result }: { result: NextTokenResult }) {
  const top = result.candidates[0]?.prob ?? 1;
  return (
    <ol className="topk" data-testid="next-token-list">
      {result.candidates.map((c, rank) => (
        <li key={c.id} className="topk-row">
          <span className="topk-rank">{rank + 1}</span>
          <span className={c.special ? 'topk-token token-special-text' : 'topk-token'} title={`id ${c.id}`}>
            {displayToken(c.text)}
          </span>
          <span className="topk-bar" aria-hidden="true">
            <span className="topk-bar-fill" style={{ width: `${(100 * c.prob) / top}%` }} />
          </span>
          <span className="topk-prob" title="probability">{(100 * c.prob).toFixed(c.prob < 0.001 ? 3 : 1)}%</span>
          <span className="topk-logit" title="logit">{c.logit.toFixed(2)}</span>
        </li>
      ))}
    </ol>
  );
}
