/**
 * The desktop menu's project commands (New, Open, Export Project) acted on by the project state.
 * Outside Electron there is no menu and this does nothing; other commands (open model, export
 * figure) belong to other parts of the app.
 */
import { useEffect, useRef } from 'react';
import { desktopBridge } from './desktop-bridge.ts';
import { pickProjectFileNative } from './project-files.ts';
import type { ProjectsApi } from './projects-state.tsx';

export function useProjectMenuCommands(projects: ProjectsApi): void {
  const latest = useRef(projects);
  latest.current = projects;
  useEffect(() => {
    const bridge = desktopBridge();
    if (!bridge) return;
    return bridge.onMenuCommand((command) => {
      const p = latest.current;
      if (command === 'new-project') void p.create();
      if (command === 'export-project' && p.current) void p.exportFile(p.current.id);
      if (command === 'open-project') {
        void pickProjectFileNative().then((file) => file && p.importFile(file));
      }
    });
  }, []);
}
