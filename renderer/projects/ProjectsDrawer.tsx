/**
 * The project panel as a drawer over the app, opened by a "Projects" button in the top corner:
 * a mount point that needs no place in the view list. It stays mounted while closed, so the
 * pinned figures are ready when it opens.
 */
import { useEffect, useState } from 'react';
import { ProjectPanel } from './ProjectPanel.tsx';
import { useProjects } from './projects-state.tsx';
import { useReopen } from './reopen-state.tsx';
import './projects.css';

export function ProjectsDrawer() {
  const [open, setOpen] = useState(false);
  const { current } = useProjects();
  // A reopened run is shown in its view: get out of the way.
  const reopened = useReopen()?.reopened;
  useEffect(() => {
    if (reopened) setOpen(false);
  }, [reopened]);
  return (
    <>
      <button type="button" className="projects-toggle" aria-expanded={open} onClick={() => setOpen((o) => !o)} data-testid="projects-toggle">
        {open ? 'Close projects' : `Projects${current ? `: ${current.name}` : ''}`}
      </button>
      <aside className="projects-drawer" hidden={!open} aria-label="Projects" data-testid="projects-drawer">
        <ProjectPanel />
      </aside>
    </>
  );
}
