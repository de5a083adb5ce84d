/** The model page: the open model's card, opening another folder, the backend choice. */
import { useState } from 'react';
import { builtinSource, BUILTIN_MODEL } from '../app/builtin.ts';
import { useModel } from '../app/model-state.tsx';
import { Button } from '../components/Button.tsx';
import { Message } from '../components/Message.tsx';
import { Panel } from '../components/Panel.tsx';
import { Segmented } from '../components/Segmented.tsx';
import type { BackendPreference } from '../worker/contracts.ts';
import { ViewLayout } from '../views/ViewLayout.tsx';
import { CompareBackends } from './CompareBackends.tsx';
import { CompareModels } from './CompareModels.tsx';
import { ModelCardView } from './ModelCardView.tsx';
import { OpenFolderButton } from './OpenFolderButton.tsx';
import { OpenGgufButton } from './OpenGgufButton.tsx';

const BACKENDS: { value: BackendPreference; label: string }[] = [
  { value: 'auto', label: 'Auto' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'cpu', label: 'CPU' },
  { value: 'cpu-ref', label: 'CPU (reference)' },
];

export function ModelView() {
  const model = useModel();
  const [pickError, setPickError] = useState<string | null>(null);
  const { load } = model;
  return (
    <ViewLayout
      title="Model"
      description="A Hugging Face folder with config.json, safetensors weights and (optionally) tokenizer.json, or a llama.cpp GGUF file (F32, F16, BF16, Q8_0, Q4_0 weights). GPT-2, GPT-NeoX/Pythia, Llama, Mistral, Qwen2/3, Gemma-2/3, Phi-3 and OLMo-2 architectures."
      testId="view-model"
    >
      <Panel
        title="Open a model"
        actions={
          <>
            <Button onClick={() => model.open(builtinSource())}>Built-in {BUILTIN_MODEL}</Button>
            <OpenFolderButton
              onOpen={(source) => {
                setPickError(null);
                model.open(source);
              }}
              onError={setPickError}
            />
            <OpenGgufButton
              onOpen={(source) => {
                setPickError(null);
                model.open(source);
              }}
            />
          </>
        }
      >
        <div className="param-row">
          <Segmented label="Backend" value={model.backend} options={BACKENDS} onChange={model.setBackend} />
          <p className="field-help">Auto uses WebGPU on a hardware GPU and the CPU otherwise (no adapter, or a software one such as SwiftShader, which is slower than the CPU backend). Changing it reloads the model.</p>
        </div>
        {pickError && <Message tone="error">{pickError}</Message>}
        {load.status === 'cancelled' && <p className="job-note">Opening was cancelled{model.card ? `; ${model.card.label} is still open` : ''}.</p>}
      </Panel>
      {model.card && (
        <Panel title="Model card">
          <ModelCardView card={model.card} />
        </Panel>
      )}
      {model.card && <CompareBackends />}
      {model.card && <CompareModels />}
    </ViewLayout>
  );
}
