/**
 * Opens a local Hugging Face model folder: the File System Access picker where the browser has
 * one, an <input webkitdirectory> otherwise. Either way the files stay on disk and are read
 * lazily by the worker through Blob slices.
 */
import { useRef } from 'react';
import { Button } from '../components/Button.tsx';
import { hasDirectoryPicker, pickDirectory } from '../model-sources/directory-handle.ts';
import { folderFromInputFiles } from '../model-sources/file-list-source.ts';
import type { ModelSourceRequest } from '../worker/contracts.ts';

export function OpenFolderButton({ onOpen, onError }: { onOpen: (source: ModelSourceRequest) => void; onError: (message: string) => void }) {
  const input = useRef<HTMLInputElement>(null);

  async function choose() {
    if (!hasDirectoryPicker()) {
      input.current?.click();
      return;
    }
    try {
      const picked = await pickDirectory();
      if (picked) onOpen({ kind: 'files', label: picked.label, files: picked.files });
    } catch (e) {
      onError(`The folder could not be read: ${(e as Error).message}`);
    }
  }

  return (
    <>
      <Button variant="primary" onClick={() => void choose()} data-testid="open-folder">
        Open model folder…
      </Button>
      <input
        ref={input}
        type="file"
        className="visually-hidden"
        data-testid="folder-input"
        // React has no typed prop for these non-standard attributes.
        {...{ webkitdirectory: '', directory: '' }}
        multiple
        onChange={(e) => {
          const files = e.currentTarget.files;
          if (files && files.length > 0) {
            const picked = folderFromInputFiles(Array.from(files));
            onOpen({ kind: 'files', label: picked.label, files: picked.files });
          }
          e.currentTarget.value = '';
        }}
      />
    </>
  );
}
