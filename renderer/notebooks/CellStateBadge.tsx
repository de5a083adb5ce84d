/** A cell's run state at a glance: queued, running, failed, from the cache, computed, outdated. */
import type { CellState } from './run-record.ts';

function badge(state: CellState): { text: string; tone: string; testId: string; title?: string } | null {
  switch (state.kind) {
    case 'none':
      return null;
    case 'queued':
      return { text: 'queued', tone: 'muted', testId: 'cell-queued' };
    case 'running':
      return { text: 'running', tone: 'accent', testId: 'cell-running', title: state.stage };
    case 'failed':
      return { text: 'failed', tone: 'error', testId: 'cell-failed' };
    case 'done': {
      if (state.outdated) return { text: 'outdated', tone: 'warning', testId: 'cell-outdated', title: 'Something this cell depends on changed since it ran' };
      const out = state.output;
      if (out.kind === 'analysis') {
        return out.cached
          ? { text: 'cached', tone: 'cached', testId: 'cell-cached', title: `From the cache (computed in ${Math.round(out.ms)} ms); key ${out.key.slice(0, 12)}…` }
          : { text: `computed · ${out.ms < 1000 ? `${Math.round(out.ms)} ms` : `${(out.ms / 1000).toFixed(1)} s`}`, tone: 'ok', testId: 'cell-computed', title: `key ${out.key.slice(0, 12)}…` };
      }
      return null;
    }
  }
}

export function CellStateBadge({ state }: { state: CellState }) {
  const b = badge(state);
  if (!b) return null;
  return (
    <span className={`nb-badge nb-badge-${b.tone}`} data-testid={b.testId} title={b.title}>
      {b.text}
    </span>
  );
}
