/** Probe projects in the app: mount <ProjectsProvider> above the views, then use these. */
export { ProjectsProvider, useProjects, useOptionalProjects } from './projects-state.tsx';
export type { ProjectsApi, RunToPin, Notice } from './projects-state.tsx';
export { ProjectPanel } from './ProjectPanel.tsx';
export { ProjectsView } from './ProjectsView.tsx';
export { ProjectsDrawer } from './ProjectsDrawer.tsx';
export { PinToProject } from './PinToProject.tsx';
export { ReopenProvider, useReopen } from './reopen-state.tsx';
export { ReopenedRun } from './ReopenedRun.tsx';
export { useModelReference } from './model-reference.ts';
