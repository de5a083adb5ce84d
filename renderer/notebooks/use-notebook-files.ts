/**
 * The notebook's way in and out: open an example, a stored notebook or a local file; save into
 * the project; download the HTML report and the JSON. Failures become a message for the view.
 */
import { useCallback, useMemo, useState } from 'react';
import { downloadBlob } from '../export/download.ts';
import type { NotebookRow } from '../storage/records.ts';
import { EXAMPLES } from './examples.ts';
import { loadPlotlySource, NOTEBOOK_EXTENSION, notebookFileName, notebookJson, notebookReport } from './exports.ts';
import type { OpenedNotebook } from './open-notebook.ts';
import { describeIssues, openNotebookData, openNotebookText } from './open-notebook.ts';
import type { RunRecord } from './run-record.ts';
import { reportOutputs } from './run-record.ts';
import type { NotebookEditor } from './use-notebook-editor.ts';
import type { ProjectNotebooks } from './use-project-notebooks.ts';

export interface FileProblem {
  readonly title: string;
  readonly lines: readonly string[];
}

export interface NotebookFiles {
  readonly problem: FileProblem | null;
  readonly saving: boolean;
  /** Null when the report can be exported now, else why not. */
  readonly reportBlocked: string | null;
  openExample(id: string): void;
  openStored(row: NotebookRow): void;
  openFile(file: File): Promise<void>;
  save(): Promise<void>;
  exportHtml(): Promise<void>;
  exportJson(): void;
  dismiss(): void;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function useNotebookFiles(editor: NotebookEditor, record: RunRecord, project: ProjectNotebooks, onOpened: () => void): NotebookFiles {
  const [problem, setProblem] = useState<FileProblem | null>(null);
  const [saving, setSaving] = useState(false);
  const { state, load, markSaved, saved } = editor;
  const outputs = useMemo(() => reportOutputs(state.doc, state.keys, record), [state.doc, state.keys, record]);

  const accept = useCallback(
    (opened: OpenedNotebook, origin: string, at?: { projectId: string; id: string }) => {
      if (!opened.ok) return setProblem({ title: `Could not open ${origin}`, lines: describeIssues(opened.issues) });
      setProblem(null);
      load(opened.doc, origin, at);
      onOpened();
    },
    [load, onOpened],
  );

  const exportHtml = useCallback(async () => {
    if (!outputs || !record.summary) return;
    try {
      const html = await notebookReport({ doc: state.doc, outputs, backend: record.summary.backend, plotlyJs: await loadPlotlySource(), generatedAt: new Date().toISOString() });
      downloadBlob(new Blob([html], { type: 'text/html' }), notebookFileName(state.doc.title, '.html'));
    } catch (e) {
      setProblem({ title: 'Could not export the report', lines: [message(e)] });
    }
  }, [outputs, record.summary, state.doc]);

  return {
    problem,
    saving,
    reportBlocked: outputs && record.summary ? null : 'Run every cell first: the report shows their outputs',
    openExample: (id) => {
      const example = EXAMPLES.find((e) => e.id === id);
      if (example) accept(openNotebookData(example.data), `the example “${example.title}”`);
    },
    openStored: (row) => accept(openNotebookData(row.notebook), `“${row.name}” from the project`, { projectId: row.projectId, id: row.id }),
    openFile: async (file) => {
      try {
        accept(openNotebookText(await file.text()), file.name);
      } catch (e) {
        setProblem({ title: `Could not open ${file.name}`, lines: [message(e)] });
      }
    },
    save: async () => {
      setSaving(true);
      const revision = state.revision;
      try {
        markSaved({ ...(await project.save(state.doc, saved)), revision });
        setProblem(null);
      } catch (e) {
        setProblem({ title: 'Could not save the notebook', lines: [message(e)] });
      } finally {
        setSaving(false);
      }
    },
    exportHtml,
    exportJson: () => downloadBlob(new Blob([notebookJson(state.doc)], { type: 'application/json' }), notebookFileName(state.doc.title, NOTEBOOK_EXTENSION)),
    dismiss: () => setProblem(null),
  };
}
