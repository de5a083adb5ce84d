/**
 * The app's frame: sidebar, the prompt (for views that use it), the current view. Views once
 * visited stay mounted (hidden) so their results and running jobs survive switching.
 */
import { useState } from 'react';
import { PromptPanel } from '../prompt/PromptPanel.tsx';
import { Sidebar } from './Sidebar.tsx';
import { useHashView } from './use-hash-view.ts';
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
  return (
    <div className="shell">
      <Sidebar current={current} onSelect={select} />
      <main className="main">
        <ModelLoadBanner />
        {view.usesPrompt && <PromptPanel />}
        {VIEWS.filter((v) => visited.has(v.id) || v.id === current).map((v) => (
          <div key={v.id} hidden={v.id !== current} className="view-slot">
            <v.component />
          </div>
        ))}
      </main>
    </div>
  );
}
