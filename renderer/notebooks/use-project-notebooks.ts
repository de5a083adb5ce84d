/**
 * Notebooks in the current probe project: the list (for the Open menu), saving the open one
 * (into the current project, creating one when there is none, as "Pin to project" does), and
 * where the notebook job keeps its results.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { NotebookInput } from '../../notebooks/schema.ts';
import { useProjects } from '../projects/index.ts';
import { listParts, saveNotebook } from '../storage/parts.ts';
import type { NotebookRow } from '../storage/records.ts';
import type { NotebookCacheTarget } from '../worker/notebook-contracts.ts';
import type { SavedAt } from './use-notebook-editor.ts';

export interface ProjectNotebooks {
  /** The current project's name, or null when none is open. */
  readonly projectName: string | null;
  readonly notebooks: readonly NotebookRow[];
  readonly cache: NotebookCacheTarget;
  /** Saves into the current project (a new one when none is open); the same row when `saved` is in it. */
  save(doc: NotebookInput, saved: SavedAt | null): Promise<Omit<SavedAt, 'revision'>>;
}

export function useProjectNotebooks(): ProjectNotebooks {
  const projects = useProjects();
  const { db, current } = projects;
  const [notebooks, setNotebooks] = useState<readonly NotebookRow[]>([]);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let live = true;
    if (!current) {
      setNotebooks([]);
      return;
    }
    listParts(db, 'notebooks', current.id)
      .then((rows) => live && setNotebooks(rows))
      .catch(() => live && setNotebooks([]));
    return () => {
      live = false;
    };
  }, [db, current, version]);

  const { create } = projects;
  const save = useCallback(
    async (doc: NotebookInput, saved: SavedAt | null) => {
      const projectId = current?.id ?? (await create())?.id;
      if (!projectId) throw new Error('Could not create a project to save the notebook in.');
      const id = saved?.projectId === projectId ? saved.id : undefined;
      const row = await saveNotebook(db, projectId, { id, name: doc.title, notebook: doc });
      setVersion((v) => v + 1);
      return { projectId, id: row.id };
    },
    [db, current, create],
  );

  const projectId = current?.id ?? null;
  const cache = useMemo<NotebookCacheTarget>(() => (projectId ? { kind: 'project', dbName: db.name, projectId } : { kind: 'session' }), [db, projectId]);
  return { projectName: current?.name ?? null, notebooks, cache, save };
}
