/** The prompt workspace: what the model predicts next, what it generates, and the interventions every view runs with. */
import { InterventionList } from '../../interventions/InterventionList.tsx';
import { ViewLayout } from '../ViewLayout.tsx';
import { GeneratePanel } from './GeneratePanel.tsx';
import { NextTokenPanel } from './NextTokenPanel.tsx';

export function WorkspaceView() {
  return (
    <ViewLayout title="Prompt" description="Edit the prompt above; the next-token distribution follows every edit. Generation continues the prompt. Interventions added below apply to every view." testId="view-workspace">
      <div className="workspace-grid">
        <NextTokenPanel />
        <GeneratePanel />
      </div>
      <InterventionList />
    </ViewLayout>
  );
}
