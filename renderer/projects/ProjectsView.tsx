/** The Projects page of the app (a view in the sidebar). */
import { ProjectPanel } from './ProjectPanel.tsx';

export function ProjectsView() {
  return (
    <article className="view" data-testid="view-projects">
      <header className="view-header">
        <h1 className="view-title">Projects</h1>
        <p className="view-description">Runs and pinned figures are saved in probe projects; prompts autosave as you type.</p>
      </header>
      <div className="view-results">
        <ProjectPanel />
      </div>
    </article>
  );
}
