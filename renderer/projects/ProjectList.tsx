/** The list of projects: open one, rename in place, duplicate, export, delete. */
import { useState } from 'react';
import { Button } from '../components/Button.tsx';
import type { ProjectRow } from '../storage/records.ts';
import type { ProjectsApi } from './projects-state.tsx';

function RenameField({ project, onDone }: { project: ProjectRow; onDone: (name: string | null) => void }) {
  const [name, setName] = useState(project.name);
  return (
    <input
      className="input project-rename-input"
      aria-label={`New name for ${project.name}`}
      value={name}
      autoFocus
      maxLength={200}
      onChange={(e) => setName(e.currentTarget.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onDone(name);
        if (e.key === 'Escape') onDone(null);
      }}
      onBlur={() => onDone(name)}
      data-testid="project-rename-input"
    />
  );
}

export function ProjectList({ projects }: { projects: ProjectsApi }) {
  const [renaming, setRenaming] = useState<string | null>(null);
  if (projects.projects.length === 0) return <p className="projects-empty">No projects yet. Create one, or pin a figure and one is made for you.</p>;
  return (
    <ul className="project-list" aria-label="Projects">
      {projects.projects.map((p) => {
        const isCurrent = projects.current?.id === p.id;
        return (
          <li key={p.id} className={isCurrent ? 'project-row project-row-current' : 'project-row'} data-testid="project-row" data-project-name={p.name}>
            {renaming === p.id ? (
              <RenameField
                project={p}
                onDone={(name) => {
                  setRenaming(null);
                  if (name !== null && name.trim() !== p.name) void projects.rename(p.id, name);
                }}
              />
            ) : (
              <button type="button" className="project-open" onClick={() => projects.select(p.id)} aria-current={isCurrent ? 'true' : undefined} data-testid="project-open">
                <span className="project-name">{p.name}</span>
                <span className="project-meta">
                  {p.model ? p.model.name : 'no model'} · {new Date(p.updatedAt).toLocaleString()}
                </span>
              </button>
            )}
            <span className="project-actions">
              <Button size="sm" variant="ghost" onClick={() => setRenaming(p.id)} data-testid="project-rename">
                Rename
              </Button>
              <Button size="sm" variant="ghost" onClick={() => void projects.duplicate(p.id)} data-testid="project-duplicate">
                Duplicate
              </Button>
              <Button size="sm" variant="ghost" onClick={() => void projects.exportFile(p.id)} data-testid="project-export">
                Export
              </Button>
              <Button size="sm" variant="ghost" onClick={() => void projects.remove(p.id)} data-testid="project-delete">
                Delete
              </Button>
            </span>
          </li>
        );
      })}
    </ul>
  );
}
