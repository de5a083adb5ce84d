/**
 * Opens a local GGUF file (llama.cpp / LM Studio / Ollama checkpoints: weights, hyperparameters
 * and tokenizer in one file). The file stays on disk; the worker reads its header and then one
 * tensor at a time through Blob slices, like a model folder.
 */
import { useRef } from 'react';
import { Button } from '../components/Button.tsx';
import type { ModelSourceRequest } from '../worker/contracts.ts';

/** `label` and the test ids let a second picker (comparing checkpoints) share the page with the first. */
export function OpenGgufButton({ onOpen, label = 'Open GGUF file…', testId = 'open-gguf', inputTestId = 'gguf-input' }: { onOpen: (source: ModelSourceRequest) => void; label?: string; testId?: string; inputTestId?: string }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <Button onClick={() => input.current?.click()} data-testid={testId}>
        {label}
      </Button>
      <input
        ref={input}
        type="file"
        accept=".gguf"
        className="visually-hidden"
        // The button above opens it: kept out of the tab order and the accessibility tree.
        tabIndex={-1}
        aria-hidden="true"
        data-testid={inputTestId}
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          if (file) onOpen({ kind: 'files', label: file.name, files: [{ path: file.name, file }] });
          e.currentTarget.value = '';
        }}
      />
    </>
  );
}
