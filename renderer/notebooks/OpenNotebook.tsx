/** Open a notebook: a bundled example or one saved in the current project, or a local .json file. */
import { useState } from 'react';
import { Button } from '../components/Button.tsx';
import type { NotebookRow } from '../storage/records.ts';
import { DEFAULT_EXAMPLE, EXAMPLES } from './examples.ts';

export interface OpenNotebookProps {
  readonly projectName: string | null;
  readonly projectNotebooks: readonly NotebookRow[];
  onExample(id: string): void;
  onStored(row: NotebookRow): void;
  onFile(file: File): void;
}

export function OpenNotebook({ projectName, projectNotebooks, onExample, onStored, onFile }: OpenNotebookProps) {
  // Starts on the example the view opens with, so the picker never names another notebook than the open one.
  const [choice, setChoice] = useState(`example:${DEFAULT_EXAMPLE}`);
  const open = () => {
    const [kind, id] = [choice.slice(0, choice.indexOf(':')), choice.slice(choice.indexOf(':') + 1)];
    if (kind === 'example') onExample(id);
    const row = projectNotebooks.find((n) => n.id === id);
    if (kind === 'project' && row) onStored(row);
  };
  return (
    <div className="field nb-open">
      <label className="field-label" htmlFor="nb-open-choice">
        Open
      </label>
      <div className="nb-open-row">
        <select id="nb-open-choice" className="input select nb-open-select" value={choice} onChange={(e) => setChoice(e.currentTarget.value)} data-testid="nb-open-choice">
          <optgroup label="Examples">
            {EXAMPLES.map((e) => (
              <option key={e.id} value={`example:${e.id}`}>
                {e.title}
              </option>
            ))}
          </optgroup>
          {projectNotebooks.length > 0 && (
            <optgroup label={`In ${projectName ?? 'this project'}`}>
              {projectNotebooks.map((n) => (
                <option key={n.id} value={`project:${n.id}`}>
                  {n.name}
                </option>
              ))}
            </optgroup>
          )}
        </select>
        <Button onClick={open} data-testid="nb-open">
          Open
        </Button>
        <label className="btn btn-secondary btn-md file-button">
          Open file…
          <input
            type="file"
            accept=".json,application/json"
            className="visually-hidden"
            data-testid="nb-open-file"
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (file) onFile(file);
            }}
          />
        </label>
      </div>
    </div>
  );
}
