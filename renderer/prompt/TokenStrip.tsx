/**
 * The token strip: every token as a chip (its text with spaces visible, its id below, BOS and
 * other special tokens marked), wrapped into rows and virtualised, so long sequences scroll
 * smoothly. Tokens that differ from a paired prompt are highlighted.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { TokenInfo } from '../worker/contracts.ts';
import { displayToken } from './token-display.ts';
import { gridLayout, visibleRows } from './virtual-grid.ts';

const CELL_W = 76;
const ROW_H = 46;
const GAP = 4;
/** The strip grows to this many rows, then scrolls. */
const MAX_VISIBLE_ROWS = 4;

export interface TokenStripProps {
  readonly tokens: readonly TokenInfo[];
  /** Positions to highlight (e.g. where clean and corrupted differ). */
  readonly changed?: ReadonlySet<number>;
  readonly dimmed?: boolean;
  readonly testId?: string;
}

export function TokenStrip({ tokens, changed, dimmed, testId }: TokenStripProps) {
  const viewport = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const [scrollTop, setScrollTop] = useState(0);
  useEffect(() => {
    const el = viewport.current;
    if (!el) return;
    // A hidden strip measures 0: keep the last real width rather than guessing one.
    const observer = new ResizeObserver(() => {
      if (el.clientWidth > 0) setWidth(el.clientWidth);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  // Also after every render: a strip shown or filled since the last resize event (the corrupted
  // prompt in pair mode) must lay out at its real width, not be clipped at the old one.
  useLayoutEffect(() => {
    const el = viewport.current;
    if (el && el.clientWidth > 0 && el.clientWidth !== width) setWidth(el.clientWidth);
  });
  const { columns, rows } = gridLayout(tokens.length, width, CELL_W, GAP);
  const height = Math.min(rows, MAX_VISIBLE_ROWS) * ROW_H;
  const [first, last] = visibleRows(scrollTop, height, ROW_H, rows);
  const cells = [];
  for (let r = first; r < last; r++) {
    for (let c = 0; c < columns; c++) {
      const i = r * columns + c;
      if (i >= tokens.length) break;
      const t = tokens[i];
      const classes = ['token', t.special ? 'token-special' : '', changed?.has(i) ? 'token-changed' : ''].filter(Boolean).join(' ');
      cells.push(
        <div
          key={i}
          className={classes}
          style={{ top: r * ROW_H, left: c * (CELL_W + GAP), width: CELL_W }}
          title={`position ${i} · id ${t.id} · ${JSON.stringify(t.text)}`}
          data-pos={i}
        >
          <span className="token-text">{displayToken(t.text)}</span>
          <span className="token-meta">
            <span className="token-pos">{i}</span>
            <span className="token-id">{t.id}</span>
          </span>
        </div>,
      );
    }
  }
  return (
    <div
      ref={viewport}
      className={dimmed ? 'token-strip token-strip-dimmed' : 'token-strip'}
      style={{ height: Math.max(height, ROW_H) }}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      data-testid={testId}
      data-count={tokens.length}
      aria-label={`${tokens.length} tokens`}
    >
      <div className="token-strip-canvas" style={{ height: rows * ROW_H }}>
        {cells}
      </div>
    </div>
  );
}
