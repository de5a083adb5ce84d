/**
 * The project panel: the project list with New, Import (a .probescope file), Rename,
 * Duplicate, Export and Delete with Undo, then the open project: autosave state, its runs with
 * their result fingerprints, and its pinned figures. Mount it anywhere under <ProjectsProvider>.
 */
import { useRef } from 'react';
import { Button } from '../components/Button.tsx';
import { Message } from '../components/Message.tsx';
import { Panel } from '../components/Panel.tsx';
import type { AutosaveStatus } from '../storage/autosave.ts';
import { desktopBridge } from './desktop-bridge.ts';
import { PinnedFigures } from './PinnedFigures.tsx';
import { pickProjectFileNative } from './project-files.ts';
import { ProjectList } from './ProjectList.tsx';
import type { ProjectsApi } from './projects-state.tsx';
import { useProjects } from './projects-state.tsx';
import './projects.css';

function autosaveText(status: AutosaveStatus): string {
  switch (status.state) {
    case 'pending':
      return 'Unsaved changes…';
    case 'saving':
      return 'Saving…';
    case 'saved':
      return `Saved${status.savedAt ? ` at ${new Date(status.savedAt).toLocaleTimeString()}` : ''}`;
    case 'error':
      return `Not saved: ${status.error?.message ?? 'unknown error'}`;
    default:
      return 'All changes saved';
  }
}

function ImportButton({ projects }: { projects: ProjectsApi }) {
  const input = useRef<HTMLInputElement>(null);
  const pick = async () => {
    if (desktopBridge()) {
      const file = await pickProjectFileNative();
      if (file) await projects.importFile(file);
    } else {
      input.current?.click();
    }
  };
  return (
    <>
      <Button onClick={() => void pick()} disabled={projects.busy} data-testid="project-import">
        Import…
      </Button>
      <input
        ref={input}
        type="file"
        accept=".probescope"
        hidden
        data-testid="project-import-input"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = ''; // the same file can be chosen again
          if (file) void projects.importFile(file);
        }}
      />
    </>
  );
}

function CurrentProject({ projects }: { projects: ProjectsApi }) {
  const { current, experiments, figures, fingerprints, autosave } = projects;
  if (!current) return null;
  return (
    <Panel
      title={<span data-testid="current-project-name">{current.name}</span>}
      subtitle={`${current.model ? `Model: ${current.model.name}` : 'No model recorded'} · ${experiments.length} runs · ${figures.length} pinned figures`}
      actions={
        <span className={`autosave autosave-${autosave.state}`} data-testid="autosave-status">
          {autosaveText(autosave)}
        </span>
      }
      testId="current-project"
    >
      {experiments.length > 0 && (
        <table className="experiment-table">
          <thead>
            <tr>
              <th>Run</th>
              <th>Method</th>
              <th>Model</th>
              <th>When</th>
              <th title="SHA-256 of the stored result: equal fingerprints mean bit-identical results">Result fingerprint</th>
            </tr>
          </thead>
          <tbody>
            {experiments.map((e) => (
              <tr key={e.id} data-testid="experiment-row">
                <td>{e.label}</td>
                <td>{e.kind}</td>
                <td>{e.model?.name ?? '—'}</td>
                <td>{new Date(e.createdAt).toLocaleString()}</td>
                <td className="mono" data-testid="experiment-fingerprint" title={fingerprints.get(e.id)}>
                  {fingerprints.get(e.id)?.slice(0, 16) ?? '…'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <PinnedFigures figures={figures} experiments={experiments} onUnpin={(id) => void projects.unpin(id)} />
    </Panel>
  );
}

export function ProjectPanel() {
  const projects = useProjects();
  const { notice, lastDeleted } = projects;
  return (
    <div className="project-panel" data-testid="project-panel">
      <Panel
        title="Projects"
        subtitle="Everything is stored in this browser. Export a project to share it as one .probescope file."
        actions={
          <>
            <Button variant="primary" onClick={() => void projects.create()} disabled={projects.busy} data-testid="project-new">
              New project
            </Button>
            <ImportButton projects={projects} />
          </>
        }
      >
        {notice && (
          <div className="project-notice" data-testid="project-notice" data-tone={notice.tone}>
            <Message tone={notice.tone}>
              {notice.text}
              {lastDeleted && notice.text.startsWith('Deleted') && (
                <Button size="sm" onClick={() => void projects.undoDelete()} data-testid="project-undo">
                  Undo
                </Button>
              )}
              <button type="button" className="link-button" onClick={projects.dismissNotice} aria-label="Dismiss">
                ×
              </button>
            </Message>
          </div>
        )}
        {projects.ready ? <ProjectList projects={projects} /> : <p className="projects-empty">Opening projects…</p>}
      </Panel>
      <CurrentProject projects={projects} />
    </div>
  );
}
