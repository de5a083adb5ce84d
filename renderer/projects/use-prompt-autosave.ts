/**
 * Keeps the prompt you are working on in the current project: every edit is autosaved (after a
 * quiet moment, one transaction per save) as the project's "Working prompt", and opening a
 * project brings its working prompt back into the editor.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { usePrompt } from '../app/prompt-state.tsx';
import { createAutosaver, flushOnHide } from '../storage/autosave.ts';
import type { AutosaveStatus } from '../storage/autosave.ts';
import { listParts, savePrompt } from '../storage/parts.ts';
import type { ProbescopeDb } from '../storage/db.ts';
import type { ProjectRow } from '../storage/records.ts';

export const WORKING_PROMPT = 'Working prompt';

interface Draft {
  readonly projectId: string;
  readonly text: string;
  readonly corrupted: string;
}

export function usePromptAutosave(db: ProbescopeDb, current: ProjectRow | null): AutosaveStatus {
  const prompt = usePrompt();
  const [status, setStatus] = useState<AutosaveStatus>({ state: 'idle', error: null, savedAt: null });
  const saver = useMemo(
    () =>
      createAutosaver<Draft>(
        async (draft) => {
          const existing = (await listParts(db, 'prompts', draft.projectId)).find((p) => p.name === WORKING_PROMPT);
          await savePrompt(db, draft.projectId, { id: existing?.id, name: WORKING_PROMPT, text: draft.text, corrupted: draft.corrupted });
        },
        { onStatus: setStatus },
      ),
    [db],
  );
  useEffect(() => flushOnHide(saver), [saver]);

  // Opening a project: restore its working prompt, and only save edits made after that.
  const loadedFor = useRef<string | null>(null);
  const baseline = useRef<{ text: string; corrupted: string } | null>(null);
  const { clean, corrupted } = prompt;
  const projectId = current?.id ?? null;
  useEffect(() => {
    if (projectId === null) {
      loadedFor.current = null;
      return;
    }
    if (loadedFor.current === projectId) return;
    let live = true;
    void listParts(db, 'prompts', projectId).then((rows) => {
      if (!live) return;
      const saved = rows.find((p) => p.name === WORKING_PROMPT);
      if (saved) {
        clean.setText(saved.text);
        if (saved.corrupted !== null) corrupted.setText(saved.corrupted);
      }
      baseline.current = saved ? { text: saved.text, corrupted: saved.corrupted ?? corrupted.text } : { text: clean.text, corrupted: corrupted.text };
      loadedFor.current = projectId;
    });
    return () => {
      live = false;
    };
  }, [db, projectId, clean, corrupted]);

  useEffect(() => {
    if (projectId === null || loadedFor.current !== projectId) return;
    // Restoring (or merely opening) is not an edit: nothing to save until the text differs.
    if (baseline.current?.text === clean.text && baseline.current.corrupted === corrupted.text) return;
    baseline.current = null;
    saver.schedule({ projectId, text: clean.text, corrupted: corrupted.text });
  }, [saver, projectId, clean.text, corrupted.text]);

  return status;
}
