/**
 * The app's frame: sidebar, the prompt (for views that use it), the current view. Views once
 * visited stay mounted (hidden) so their results and running jobs survive switching.
 */
import { useEffect, useRef, useState } from 'react';
import { PromptPanel } from '../prompt/PromptPanel.tsx';
import { usePrompt } from './prompt-state.tsx';
import { Sidebar } from './Sidebar.tsx';
import { useHashView } from './use-hash-view.ts';
import { ViewActiveContext, ViewIdContext } from './view-active.tsx';
import { VIEWS, viewById } from './views.ts';
import { ModelLoadBanner } from './ModelLoadBanner.tsx';
import { isTyping, shortcutFor, stepView } from './shortcuts.ts';
import { ShortcutsHelp } from './ShortcutsHelp.tsx';

/**
 * Run and cancel act on the view on screen through its own buttons, so a shortcut does exactly
 * what the click does (including staying disabled while the view says why it cannot run).
 */
function clickInCurrentView(selector: string): boolean {
  const button = document.querySelector<HTMLButtonElement>(`.view-slot:not([hidden]) ${selector}`);
  if (!button || button.disabled) return false;
  button.click();
  return true;
}

export function Shell() {
  const [current, go] = useHashView();
  const [visited, setVisited] = useState<ReadonlySet<string>>(() => new Set([current]));
  const select = (id: string) => {
    setVisited((v) => new Set(v).add(id));
    go(id);
  };
  const view = viewById(current);
  const [help, setHelp] = useState(false);
  const selectRef = useRef(select);
  selectRef.current = select;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action = shortcutFor(e, isTyping(e.target));
      if (!action) return;
      const ids = VIEWS.map((v) => v.id);
      if (action.kind === 'help') setHelp((h) => !h);
      else if (action.kind === 'cancel') {
        if (!clickInCurrentView('[data-testid="cancel-job"]')) setHelp(false);
        return; // Esc keeps its default meaning too (closing pickers)
      } else if (action.kind === 'run') clickInCurrentView('.view-run button');
      else if (action.kind === 'view') selectRef.current(stepView(ids, current, action.step));
      else if (action.index < ids.length) selectRef.current(ids[action.index]);
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [current]);
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
      {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
    </div>
  );
}
