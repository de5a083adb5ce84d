/**
 * "Pin to project" beside a figure's export bar: saves the run behind the figure (its
 * parameters and full result, arrays kept binary) and the figure itself into the current
 * project, creating one if there is none, with the interventions the model runs with. Renders
 * nothing when the app has no project store.
 */
import { useState } from 'react';
import { useViewId } from '../app/view-active.tsx';
import { Button } from '../components/Button.tsx';
import type { Intervention } from '../../analysis/hooks/interventions.ts';
import { useOptionalInterventions } from '../interventions/intervention-state.tsx';
import { useOptionalProjects } from './projects-state.tsx';

export interface PinToProjectProps {
  readonly title: string;
  /** The Plotly figure as data ({data, layout}). */
  readonly spec: unknown;
  readonly exports: { readonly name: string; readonly json: () => unknown };
}

function fieldOf(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && key in value ? (value as Record<string, unknown>)[key] : undefined;
}

export function PinToProject({ title, spec, exports }: PinToProjectProps) {
  const projects = useOptionalProjects();
  const view = useViewId();
  const [pinned, setPinned] = useState(false);
  // What the engine ran with: a method run's record states it (the worker's report of the run's
  // model); otherwise the list applied now.
  const interventions = useOptionalInterventions();
  if (!projects) return null;
  const pin = async () => {
    const json = exports.json();
    const method = fieldOf(json, 'method');
    await projects.pin({
      // The view it was made in (view ids name methods), so the run can be reopened there.
      kind: view ?? (typeof method === 'string' ? method : exports.name),
      label: title,
      params: fieldOf(json, 'params') ?? null,
      result: json,
      title,
      figure: spec,
      interventions: (fieldOf(json, 'interventions') as readonly Intervention[] | undefined) ?? (interventions ? (interventions.applied?.applied ?? []) : undefined),
    });
    setPinned(true);
  };
  return (
    <div className="pin-to-project">
      <Button size="sm" onClick={() => void pin()} disabled={projects.busy} data-testid="pin-to-project" title="Save this run and its figure in the current project">
        {pinned ? 'Pinned ✓ (pin again)' : 'Pin to project'}
      </Button>
      <span className="pin-target">{projects.current ? `→ ${projects.current.name}` : '→ new project'}</span>
    </div>
  );
}
