/**
 * Probe projects in the app: the project list, the current project (remembered across reloads)
 * with its runs and pinned figures, and every action the panel, the figure cards and the
 * desktop menu need. All data lives in IndexedDB (renderer/storage); this keeps only what is on
 * screen and reloads it after each change. Failures become a notice the panel shows; none is
 * swallowed.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { Intervention } from '../../analysis/hooks/interventions.ts';
import { ProbescopeDb } from '../storage/db.ts';
import { fingerprint } from '../storage/fingerprint.ts';
import { deletePart, getExperimentResult, listParts, saveExperimentWithFigure } from '../storage/parts.ts';
import {
  createProject,
  deleteProject,
  duplicateProject,
  getProject,
  listProjects,
  purgeDeletedProjects,
  renameProject,
  restoreProject,
} from '../storage/projects.ts';
import type { ExperimentRow, FigureRow, ProjectRow } from '../storage/records.ts';
import { exportProject } from '../storage/share/export.ts';
import { importProject } from '../storage/share/import.ts';
import type { AutosaveStatus } from '../storage/autosave.ts';
import { useModelReference } from './model-reference.ts';
import { useProjectMenuCommands } from './use-menu-commands.ts';
import { usePromptAutosave } from './use-prompt-autosave.ts';
import { readPickedFile, saveProjectFile } from './project-files.ts';
import type { PickedFile } from './project-files.ts';

const CURRENT_KEY = 'probescope.currentProject';
/** Deleted projects can be restored for this long; then they are purged at the next start. */
export const PURGE_AFTER_MS = 30 * 24 * 3600 * 1000;
export const UNTITLED = 'Untitled project';

export interface Notice {
  readonly tone: 'error' | 'warning' | 'info';
  readonly text: string;
}

export interface RunToPin {
  readonly kind: string;
  readonly label: string;
  readonly params: unknown;
  readonly result: unknown;
  readonly title: string;
  readonly figure: unknown;
  /** The interventions the model ran with (the workspace's list as the engine applied it). */
  readonly interventions?: readonly Intervention[];
}

export interface ProjectsApi {
  readonly db: ProbescopeDb;
  readonly ready: boolean;
  readonly projects: readonly ProjectRow[];
  readonly current: ProjectRow | null;
  readonly experiments: readonly ExperimentRow[];
  readonly figures: readonly FigureRow[];
  /** Result fingerprints of the current project's experiments, by experiment id. */
  readonly fingerprints: ReadonlyMap<string, string>;
  /** The last deleted project, for Undo. */
  readonly lastDeleted: ProjectRow | null;
  readonly notice: Notice | null;
  readonly busy: boolean;
  /** The working prompt's autosave into the current project. */
  readonly autosave: AutosaveStatus;
  select(id: string): void;
  create(name?: string): Promise<ProjectRow | null>;
  rename(id: string, name: string): Promise<void>;
  duplicate(id: string): Promise<void>;
  remove(id: string): Promise<void>;
  undoDelete(): Promise<void>;
  exportFile(id: string): Promise<void>;
  /** Imports a .probescope file: a File picked in the page, or name + bytes from the desktop dialog. */
  importFile(file: PickedFile | File): Promise<void>;
  pin(run: RunToPin): Promise<void>;
  unpin(figureId: string): Promise<void>;
  dismissNotice(): void;
}

const ProjectsContext = createContext<ProjectsApi | null>(null);

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function rememberedProject(): string | null {
  try {
    return globalThis.localStorage?.getItem(CURRENT_KEY) ?? null;
  } catch {
    return null; // storage disabled: start without a current project
  }
}

function remember(id: string | null): void {
  try {
    if (id === null) globalThis.localStorage?.removeItem(CURRENT_KEY);
    else globalThis.localStorage?.setItem(CURRENT_KEY, id);
  } catch {
    // Only the convenience of reopening the same project is lost.
  }
}

export function ProjectsProvider({ children, dbName }: { children: ReactNode; dbName?: string }) {
  const db = useMemo(() => new ProbescopeDb(dbName), [dbName]);
  const model = useModelReference();
  const [ready, setReady] = useState(false);
  const [projects, setProjects] = useState<readonly ProjectRow[]>([]);
  const [currentId, setCurrentId] = useState<string | null>(rememberedProject);
  const [current, setCurrent] = useState<ProjectRow | null>(null);
  const [experiments, setExperiments] = useState<readonly ExperimentRow[]>([]);
  const [figures, setFigures] = useState<readonly FigureRow[]>([]);
  const [fingerprints, setFingerprints] = useState<ReadonlyMap<string, string>>(new Map());
  const [lastDeleted, setLastDeleted] = useState<ProjectRow | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(0);
  const refresh = useCallback(() => setVersion((v) => v + 1), []);
  const currentIdRef = useRef(currentId);
  currentIdRef.current = currentId;

  const select = useCallback((id: string | null) => {
    remember(id);
    setCurrentId(id);
  }, []);

  // Once per start: purge projects deleted long ago. (The database stays open for the page's
  // lifetime: Dexie 4 does not reopen a closed one, which StrictMode's re-run would hit.)
  useEffect(() => {
    purgeDeletedProjects(db, { deletedBefore: Date.now() - PURGE_AFTER_MS }).catch((e: unknown) =>
      setNotice({ tone: 'error', text: `Could not purge old deleted projects: ${message(e)}` }),
    );
  }, [db]);

  // Reload what is on screen after every change.
  useEffect(() => {
    let live = true;
    (async () => {
      const list = await listProjects(db);
      const row = currentId === null ? undefined : await getProject(db, currentId);
      const open = row && row.deletedAt === null ? row : null;
      const runs = open ? await listParts(db, 'experiments', open.id) : [];
      const pinned = open ? await listParts(db, 'figures', open.id) : [];
      const prints = new Map<string, string>();
      for (const run of runs) {
        const value = await getExperimentResult(db, run.id);
        if (value !== undefined) prints.set(run.id, await fingerprint(value));
      }
      if (!live) return;
      setProjects(list);
      setCurrent(open);
      setExperiments(runs);
      setFigures(pinned);
      setFingerprints(prints);
      setReady(true);
    })().catch((e: unknown) => live && setNotice({ tone: 'error', text: `Could not read projects: ${message(e)}` }));
    return () => {
      live = false;
    };
  }, [db, currentId, version]);

  /** Runs an action with the busy flag, turning its failure into an error notice. */
  const act = useCallback(
    async <T,>(action: () => Promise<T>): Promise<T | null> => {
      setBusy(true);
      try {
        return await action();
      } catch (e) {
        setNotice({ tone: 'error', text: message(e) });
        return null;
      } finally {
        setBusy(false);
        refresh();
      }
    },
    [refresh],
  );

  const autosave = usePromptAutosave(db, current);

  const api = useMemo<ProjectsApi>(() => {
    const create = (name = UNTITLED) =>
      act(async () => {
        const project = await createProject(db, { name, model });
        select(project.id);
        setNotice(null);
        return project;
      });
    return {
      db, ready, projects, current, experiments, figures, fingerprints, lastDeleted, notice, busy, autosave,
      select,
      create,
      rename: async (id, name) => void (await act(() => renameProject(db, id, name))),
      duplicate: async (id) =>
        void (await act(async () => {
          const copy = await duplicateProject(db, id);
          select(copy.id);
        })),
      remove: async (id) =>
        void (await act(async () => {
          const deleted = await deleteProject(db, id);
          setLastDeleted(deleted);
          if (currentIdRef.current === id) select(null);
          setNotice({ tone: 'info', text: `Deleted "${deleted.name}".` });
        })),
      undoDelete: async () =>
        void (await act(async () => {
          if (!lastDeleted) return;
          const restored = await restoreProject(db, lastDeleted.id);
          setLastDeleted(null);
          select(restored.id);
          setNotice({ tone: 'info', text: `Restored "${restored.name}".` });
        })),
      exportFile: async (id) =>
        void (await act(async () => {
          const { bytes, fileName } = await exportProject(db, id);
          const saved = await saveProjectFile(bytes, fileName);
          if (saved) setNotice({ tone: 'info', text: `Exported ${saved} (${(bytes.length / 1024).toFixed(0)} KiB).` });
        })),
      importFile: async (picked) =>
        void (await act(async () => {
          try {
            const file = picked instanceof File ? await readPickedFile(picked) : picked;
            const { project, warnings } = await importProject(db, file.bytes, { currentModel: model });
            select(project.id);
            const text = [`Imported "${project.name}" from ${file.name}.`, ...warnings.map((w) => w.message)].join(' ');
            setNotice({ tone: warnings.length > 0 ? 'warning' : 'info', text });
          } catch (e) {
            throw new Error(`Could not import ${picked.name}: ${message(e)}. Your projects were not changed.`, { cause: e });
          }
        })),
      pin: async (run) =>
        void (await act(async () => {
          let projectId = currentIdRef.current;
          const open = projectId === null ? undefined : await getProject(db, projectId);
          if (!open || open.deletedAt !== null) {
            projectId = (await createProject(db, { name: UNTITLED, model })).id;
            select(projectId);
          }
          await saveExperimentWithFigure(db, projectId!, {
            kind: run.kind, label: run.label, params: run.params, result: run.result, model, interventions: run.interventions,
            figure: { title: run.title, figure: run.figure },
          });
          setNotice({ tone: 'info', text: `Pinned "${run.title}" to the project.` });
        })),
      unpin: async (figureId) =>
        void (await act(async () => {
          if (currentIdRef.current) await deletePart(db, 'figures', currentIdRef.current, figureId);
        })),
      dismissNotice: () => setNotice(null),
    };
  }, [db, ready, projects, current, experiments, figures, fingerprints, lastDeleted, notice, busy, autosave, select, act, model]);
  useProjectMenuCommands(api);

  return <ProjectsContext.Provider value={api}>{children}</ProjectsContext.Provider>;
}

export function useProjects(): ProjectsApi {
  const api = useContext(ProjectsContext);
  if (!api) throw new Error('useProjects outside <ProjectsProvider>');
  return api;
}

/** The projects API, or null when no provider is mounted (components that work without projects). */
export function useOptionalProjects(): ProjectsApi | null {
  return useContext(ProjectsContext);
}
