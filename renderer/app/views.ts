/**
 * The app's views, in sidebar order. A method's view is added here when the method lands in
 * analysis/methods/.
 */
import type { ComponentType } from 'react';
import { ModelView } from '../model/ModelView.tsx';
import { AttentionView } from '../views/attention/AttentionView.tsx';
import { LogitLensView } from '../views/logit-lens/LogitLensView.tsx';
import { WorkspaceView } from '../views/workspace/WorkspaceView.tsx';

export interface ViewEntry {
  readonly id: string;
  readonly title: string;
  readonly group: 'Model' | 'Prompt' | 'Analysis';
  readonly component: ComponentType;
  /** Whether the prompt editor is shown above the view. */
  readonly usesPrompt: boolean;
}

export const VIEWS: readonly ViewEntry[] = [
  { id: 'model', title: 'Model', group: 'Model', component: ModelView, usesPrompt: false },
  { id: 'prompt', title: 'Next token & generate', group: 'Prompt', component: WorkspaceView, usesPrompt: true },
  { id: 'attention', title: 'Attention patterns', group: 'Analysis', component: AttentionView, usesPrompt: true },
  { id: 'logit-lens', title: 'Logit lens', group: 'Analysis', component: LogitLensView, usesPrompt: true },
];

export const DEFAULT_VIEW = 'prompt';

export function viewById(id: string): ViewEntry {
  return VIEWS.find((v) => v.id === id) ?? VIEWS.find((v) => v.id === DEFAULT_VIEW)!;
}
