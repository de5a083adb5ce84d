/**
 * "Open dictionary folder…": a SAELens folder (cfg.json + sae_weights.safetensors), a
 * circuit-tracer transcoder set (config.yaml + layer_{i}.safetensors) or cross-layer transcoder
 * (config.yaml + W_enc_{i} / W_dec_{i}.safetensors), a Gemma Scope 2 folder, or a folder of
 * SAELens folders named after their hooks, picked with the same picker as a model
 * folder (File System Access, else <input webkitdirectory>; both work in Electron). The worker
 * opens it from the Files, checks it against the open model and keeps it for the session; a
 * refusal (missing tensor, unknown architecture, hook or width the model lacks) is shown as the
 * worker worded it.
 */
import { useState } from 'react';
import { useJob } from '../../app/use-job.ts';
import { JobProgress } from '../../components/JobProgress.tsx';
import { Message } from '../../components/Message.tsx';
import { OpenFolderButton } from '../../model/OpenFolderButton.tsx';
import type { OpenedDictionaries } from '../../worker/dictionary-contracts.ts';
import { addOpenedDictionaries, folderContents } from './dictionary-choice.ts';

export function OpenDictionaryFolder({ onOpened }: { onOpened: (folder: OpenedDictionaries) => void }) {
  const job = useJob('openDictionary');
  const [pickError, setPickError] = useState<string | null>(null);
  const state = job.state;
  return (
    <div className="view-run" data-testid="open-dictionary">
      <OpenFolderButton
        label="Open dictionary folder…"
        primary={false}
        testId="open-dictionary-folder"
        inputTestId="dictionary-folder-input"
        onError={setPickError}
        onOpen={(source) => {
          setPickError(null);
          void job.run({ source }).then((opened) => {
            if (!opened) return;
            addOpenedDictionaries(opened);
            onOpened(opened);
          });
        }}
      />
      {state.status === 'running' && <JobProgress progress={state.progress} stageStartedAt={state.stageStartedAt} onCancel={job.cancel} />}
      {state.status === 'done' && (
        <span className="hint" data-testid="dictionary-opened">
          Opened {state.result.label}: {folderContents(state.result)}
        </span>
      )}
      {(pickError ?? (state.status === 'failed' ? state.error.message : null)) && (
        <Message tone="error" title="This dictionary cannot be used">
          <span data-testid="dictionary-open-error">{pickError ?? (state.status === 'failed' ? state.error.message : '')}</span>
        </Message>
      )}
    </div>
  );
}
