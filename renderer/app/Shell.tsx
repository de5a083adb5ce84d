/**
 * The app's frame: sidebar, the prompt (for views that use it), the current view. Views once
 * visited stay mounted (hidden) so their results and running jobs survive switching.
 */
import { useEffect, useState } from 'react';
import { PromptPanel } from '../prompt/PromptPanel.tsx';
import { usePrompt } from './prompt-state.tsx';
import { Sidebar } from './Sidebar.tsx';
import { useHashView } from './use-hash-view.ts';
import { ViewActiveContext, ViewIdContext } from './view-active.tsx';
import { VIEWS, viewById } from './views.ts';
import { ModelLoadBanner } from './ModelLoadBanner.tsx';

export function Shell() {
  const [current, go] = useHashView();
  const [visited, setVisited] = useState<ReadonlySet<string>>(() => new Set([current]));
  const select = (id: string) => {
    setVisited((v) => new Set(v).add(id));
    go(id);
  };
  const view = viewById(current);
  // Patching views need the corrupted prompt: show it when one of them opens.
  const { setPairMode } = usePrompt();
  useEffect(() => {
    if (view.prompt === 'pair') setPairMode(true);
  }, [view.prompt, setPairMode]);
  return (
    <div className="shell">
      <Sidebar current={current} onSelect={select} />
      <main className="main">
        <ModelLoadBanner />
        {view.prompt !== 'none' && <PromptPanel />}
        {VIEWS.filter((v) => visited.has(v.id) || v.id === current).map((v) => (
          <div key={v.id} hidden={v.id !== current} className="view-slot">
            <ViewIdContext.Provider value={v.id}>
              <ViewActiveContext.Provider value={v.id === current}>
                <v.component />
              </ViewActiveContext.Provider>
            </ViewIdContext.Provider>
          </div>
        ))}
      </main>
    </div>
  );
}
