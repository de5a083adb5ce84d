import { EngineProvider } from './engine.tsx';
import { ModelProvider } from './model-state.tsx';
import { PromptProvider } from './prompt-state.tsx';
import { InterventionProvider } from '../interventions/intervention-state.tsx';
import { ProjectsDrawer, ProjectsProvider, ReopenProvider } from '../projects/index.ts';
import { Shell } from './Shell.tsx';
import type { EngineClient } from '../worker/client.ts';

export function App({ engine }: { engine: EngineClient }) {
  return (
    <EngineProvider client={engine}>
      <ModelProvider>
        <PromptProvider>
          <InterventionProvider>
            <ProjectsProvider>
              <ReopenProvider>
                <Shell />
                <ProjectsDrawer />
              </ReopenProvider>
            </ProjectsProvider>
          </InterventionProvider>
        </PromptProvider>
      </ModelProvider>
    </EngineProvider>
  );
}
