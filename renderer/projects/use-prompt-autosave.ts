/**
 * Keeps the prompt you are working on in the current project: every edit is autosaved (after a
 * quiet moment, one transaction per save) as the project's "Working prompt", with the
 * workspace's intervention list, and opening a project brings both back.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { usePrompt } from '../app/prompt-state.tsx';
import { useOptionalInterventions } from '../interventions/intervention-state.tsx';
import { createAutosaver, flushOnHide } from '../storage/autosave.ts';
import type { AutosaveStatus } from '../storage/autosave.ts';
import { listParts, savePrompt } from '../storage/parts.ts';
import type { ProbescopeDb } from '../storage/db.ts';
import type { ProjectRow, SavedIntervention } from '../storage/records.ts';

export const WORKING_PROMPT = 'Working prompt';

interface Draft {
  readonly projectId: string;
  readonly text: string;
  readonly corrupted: string;
  /** Null where the app has no intervention list (nothing to save). */
  readonly interventions: readonly SavedIntervention[] | null;
}

export function usePromptAutosave(db: ProbescopeDb, current: ProjectRow | null): AutosaveStatus {
  const prompt = usePrompt();
  const [status, setStatus] = useState<AutosaveStatus>({ state: 'idle', error: null, savedAt: null });
  const saver = useMemo(
    () =>
      createAutosaver<Draft>(
        async (draft) => {
          const existing = (await listParts(db, 'prompts', draft.projectId)).find((p) => p.name === WORKING_PROMPT);
          await savePrompt(db, draft.projectId, {
            id: existing?.id,
            name: WORKING_PROMPT,
            text: draft.text,
            corrupted: draft.corrupted,
            ...(draft.interventions && { interventions: draft.interventions }),
          });
        },
        { onStatus: setStatus },
      ),
    [db],
  );
  useEffect(() => flushOnHide(saver), [saver]);

  // Opening a project: restore its working prompt, and only save edits made after that.
  const loadedFor = useRef<string | null>(null);
  const baseline = useRef<{ text: string; corrupted: string; interventions: string } | null>(null);
  const { clean, corrupted } = prompt;
  const list = useOptionalInterventions();
  const restoreList = list?.restore;
  const entries = list?.entries;
  // The list as saved (on/off and the intervention, without the editor's ids), and as a key.
  const savedKey = JSON.stringify(entries?.map((e): SavedIntervention => ({ enabled: e.enabled, intervention: e.intervention })) ?? null);
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
      const row = rows.find((p) => p.name === WORKING_PROMPT);
      const interventions = row?.interventions;
      if (row) {
        clean.setText(row.text);
        if (row.corrupted !== null) corrupted.setText(row.corrupted);
        if (interventions && restoreList) restoreList(interventions);
      }
      baseline.current = {
        text: row?.text ?? clean.text,
        corrupted: row?.corrupted ?? corrupted.text,
        interventions: interventions && restoreList ? JSON.stringify(interventions) : savedKey,
      };
      loadedFor.current = projectId;
    });
    return () => {
      live = false;
    };
  }, [db, projectId, clean, corrupted, restoreList]);

  useEffect(() => {
    if (projectId === null || loadedFor.current !== projectId) return;
    // Restoring (or merely opening) is not an edit: nothing to save until the text differs.
    if (baseline.current?.text === clean.text && baseline.current.corrupted === corrupted.text && baseline.current.interventions === savedKey) return;
    baseline.current = null;
    saver.schedule({ projectId, text: clean.text, corrupted: corrupted.text, interventions: JSON.parse(savedKey) as readonly SavedIntervention[] | null });
  }, [saver, projectId, clean.text, corrupted.text, savedKey]);

  return status;
}
