/**
 * The app's views, in sidebar order, one per method (analysis/methods/), grouped by what they
 * do. `prompt` says what the view reads: the prompt, the clean/corrupted pair, or nothing.
 */
import type { ComponentType } from 'react';
import { ModelView } from '../model/ModelView.tsx';
import { NotebooksView } from '../notebooks/NotebooksView.tsx';
import { AblationView } from '../views/ablation/AblationView.tsx';
import { AttentionView } from '../views/attention/AttentionView.tsx';
import { AttributionGraphView } from '../views/attribution-graph/AttributionGraphView.tsx';
import { AttributionView } from '../views/attribution/AttributionView.tsx';
import { DictionaryView } from '../views/dictionaries/DictionaryView.tsx';
import { DlaView } from '../views/dla/DlaView.tsx';
import { HeadScoresView } from '../views/head-scores/HeadScoresView.tsx';
import { LinearScopeView } from '../views/linearscope/LinearScopeView.tsx';
import { LogitLensView } from '../views/logit-lens/LogitLensView.tsx';
import { NeuronsView } from '../views/neurons/NeuronsView.tsx';
import { ObsPropView } from '../views/obsprop/ObsPropView.tsx';
import { PatchingView } from '../views/patching/PatchingView.tsx';
import { PathPatchingView } from '../views/path-patching/PathPatchingView.tsx';
import { ProbeView } from '../views/probe/ProbeView.tsx';
import { RetrievalView } from '../views/retrieval/RetrievalView.tsx';
import { WorkspaceView } from '../views/workspace/WorkspaceView.tsx';

export type ViewGroup = 'Model' | 'Prompt' | 'Observe' | 'Attribute' | 'Intervene' | 'Retrieve & probe' | 'Notebooks';

export interface ViewEntry {
  readonly id: string;
  readonly title: string;
  readonly group: ViewGroup;
  readonly component: ComponentType;
  /** What the prompt panel shows above the view. */
  readonly prompt: 'none' | 'single' | 'pair';
}

export const VIEWS: readonly ViewEntry[] = [
  { id: 'model', title: 'Model', group: 'Model', component: ModelView, prompt: 'none' },
  { id: 'prompt', title: 'Next token & generate', group: 'Prompt', component: WorkspaceView, prompt: 'single' },
  { id: 'attention', title: 'Attention patterns', group: 'Observe', component: AttentionView, prompt: 'single' },
  { id: 'logit-lens', title: 'Logit lens', group: 'Observe', component: LogitLensView, prompt: 'single' },
  { id: 'neurons', title: 'Neuron decoding', group: 'Observe', component: NeuronsView, prompt: 'none' },
  { id: 'head-scores', title: 'Head scores', group: 'Observe', component: HeadScoresView, prompt: 'none' },
  { id: 'dictionaries', title: 'Dictionary features', group: 'Observe', component: DictionaryView, prompt: 'single' },
  { id: 'dla', title: 'Direct logit attribution', group: 'Attribute', component: DlaView, prompt: 'single' },
  { id: 'linearscope', title: 'LinearScope', group: 'Attribute', component: LinearScopeView, prompt: 'single' },
  { id: 'obsprop', title: 'ObsProp', group: 'Attribute', component: ObsPropView, prompt: 'single' },
  { id: 'attribution-graph', title: 'Attribution graph', group: 'Attribute', component: AttributionGraphView, prompt: 'single' },
  { id: 'ablation', title: 'Head ablation', group: 'Intervene', component: AblationView, prompt: 'single' },
  { id: 'patching', title: 'Activation patching', group: 'Intervene', component: PatchingView, prompt: 'pair' },
  { id: 'path-patching', title: 'Path patching', group: 'Intervene', component: PathPatchingView, prompt: 'pair' },
  { id: 'attribution', title: 'Attribution patching', group: 'Intervene', component: AttributionView, prompt: 'pair' },
  { id: 'retrieval', title: 'Retrieval heads', group: 'Retrieve & probe', component: RetrievalView, prompt: 'none' },
  { id: 'probe', title: 'Linear probes', group: 'Retrieve & probe', component: ProbeView, prompt: 'none' },
  { id: 'notebooks', title: 'Notebooks', group: 'Notebooks', component: NotebooksView, prompt: 'none' },
];

export const DEFAULT_VIEW = 'prompt';

export function viewById(id: string): ViewEntry {
  return VIEWS.find((v) => v.id === id) ?? VIEWS.find((v) => v.id === DEFAULT_VIEW)!;
}
