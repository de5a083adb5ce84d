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

/** `label`, `primary` and the test ids let a second picker (comparing checkpoints) share the page with the first. */
export function OpenFolderButton({
  onOpen,
  onError,
  label = 'Open model folder…',
  primary = true,
  testId = 'open-folder',
  inputTestId = 'folder-input',
}: {
  onOpen: (source: ModelSourceRequest) => void;
  onError: (message: string) => void;
  label?: string;
  primary?: boolean;
  testId?: string;
  inputTestId?: string;
}) {
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
      <Button variant={primary ? 'primary' : 'secondary'} onClick={() => void choose()} data-testid={testId}>
        {label}
      </Button>
      <input
        ref={input}
        type="file"
        className="visually-hidden"
        // The button above opens it: kept out of the tab order and the accessibility tree.
        tabIndex={-1}
        aria-hidden="true"
        data-testid={inputTestId}
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
