/** Brand, the open model at a glance (with its backend), and the views. */
import { InterventionBadge } from '../interventions/InterventionBadge.tsx';
import { formatCount } from './format.ts';
import { useModel } from './model-state.tsx';
import type { ViewEntry } from './views.ts';
import { VIEWS } from './views.ts';

function ModelSummary() {
  const { card, load, opening } = useModel();
  if (!card) {
    return <div className="sidebar-model sidebar-model-empty">{load.status === 'running' ? `Opening ${opening ?? 'model'}…` : 'No model open'}</div>;
  }
  return (
    <div className="sidebar-model" data-testid="sidebar-model">
      <div className="sidebar-model-name" title={card.label}>
        {card.label.replace(/^builtin:/, '')}
      </div>
      <div className="sidebar-model-meta">
        {card.architecture.replace(/ForCausalLM$/, '')} · {formatCount(card.parameters)} params
      </div>
      <InterventionBadge />
      <div className="sidebar-backend" title={card.backend.note ? `${card.backend.adapter}: ${card.backend.note}` : card.backend.adapter}>
        <span className={`backend-badge backend-${card.backend.name}`} data-testid="backend-badge">
          {card.backend.name === 'webgpu' ? 'WebGPU' : 'CPU'}
        </span>
        <span className="sidebar-adapter">{card.backend.adapter}</span>
      </div>
      {card.backend.note && (
        <div className="sidebar-backend-note" data-testid="backend-note">
          {card.backend.note}
        </div>
      )}
      {load.status === 'running' && <div className="sidebar-model-loading">Opening {opening}…</div>}
    </div>
  );
}

export function Sidebar({ current, onSelect }: { current: string; onSelect: (id: string) => void }) {
  const groups = [...new Set(VIEWS.map((v) => v.group))];
  return (
    <nav className="sidebar" aria-label="Views">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">Probescope</span>
      </div>
      <ModelSummary />
      {groups.map((group) => (
        <div key={group} className="nav-group">
          <div className="nav-group-title">{group}</div>
          {VIEWS.filter((v: ViewEntry) => v.group === group).map((v) => (
            <button
              key={v.id}
              type="button"
              className={v.id === current ? 'nav-item nav-item-on' : 'nav-item'}
              aria-current={v.id === current ? 'page' : undefined}
              onClick={() => onSelect(v.id)}
              data-testid={`nav-${v.id}`}
            >
              {v.title}
            </button>
          ))}
        </div>
      ))}
    </nav>
  );
}
