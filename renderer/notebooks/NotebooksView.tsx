/**
 * Notebooks: open a notebook (a bundled example, one saved in the project, a local file), edit
 * its cells, run them in the engine worker with the results cached in the project, see the
 * figures inline, save it into the project, export it as an HTML report or JSON.
 */
import { useEffect } from 'react';
import { isTyping } from '../app/shortcuts.ts';
import { undoKey } from '../app/undo-history.ts';
import { useViewActive } from '../app/view-active.tsx';
import { Button } from '../components/Button.tsx';
import { EmptyState, Message } from '../components/Message.tsx';
import { ViewLayout } from '../views/ViewLayout.tsx';
import { CellList } from './CellList.tsx';
import { DEFAULT_EXAMPLE, EXAMPLES } from './examples.ts';
import { IssueList } from './IssueList.tsx';
import { NotebookActions } from './NotebookActions.tsx';
import { NotebookTitle } from './NotebookTitle.tsx';
import { openNotebookData } from './open-notebook.ts';
import { newNotebook } from '../../notebooks/edit.ts';
import { OpenNotebook } from './OpenNotebook.tsx';
import { RunStatus } from './RunStatus.tsx';
import { useNotebookEditor } from './use-notebook-editor.ts';
import { useNotebookFiles } from './use-notebook-files.ts';
import { useNotebookModel } from './use-notebook-model.ts';
import { useNotebookRun } from './use-notebook-run.ts';
import { useProjectNotebooks } from './use-project-notebooks.ts';
import './notebooks.css';

function firstNotebook(): { doc: ReturnType<typeof newNotebook>; origin: string } {
  const example = EXAMPLES.find((e) => e.id === DEFAULT_EXAMPLE);
  const opened = example ? openNotebookData(example.data) : null;
  return opened?.ok ? { doc: opened.doc, origin: `the example “${example!.title}”` } : { doc: newNotebook('New notebook'), origin: 'a new notebook' };
}

const FIRST = firstNotebook();

export function NotebooksView() {
  const model = useNotebookModel();
  const project = useProjectNotebooks();
  const editor = useNotebookEditor(FIRST.doc, FIRST.origin);
  const runner = useNotebookRun(editor, model.identity, project.cache);
  const files = useNotebookFiles(editor, runner.record, project, runner.reset);
  const { state, check, undo, redo } = editor;
  // Ctrl+Z / Ctrl+Shift+Z undo notebook edits, except inside a text field (which has its own).
  const active = useViewActive();
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      const action = isTyping(e.target) ? null : undoKey(e);
      if (!action) return;
      e.preventDefault();
      if (action === 'undo') undo();
      else redo();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active, undo, redo]);
  const running = runner.job.status === 'running';
  const blocked = model.blocked ?? (check.plan ? null : `${check.issues.length} ${check.issues.length === 1 ? 'problem' : 'problems'} to fix first`);

  return (
    <ViewLayout
      title="Notebooks"
      description="A notebook is an analysis as data: markdown, a model, prompts or a dataset, analysis steps and figures of their results. It runs in the engine worker; step results are kept in the current project, so reopening it does not recompute them."
      testId="view-notebooks"
      runLabel="Run all"
      onRun={() => runner.run()}
      blocked={running ? null : blocked}
      running={running}
      params={
        <>
          <OpenNotebook projectName={project.projectName} projectNotebooks={project.notebooks} onExample={files.openExample} onStored={files.openStored} onFile={(f) => void files.openFile(f)} />
          <NotebookActions
            dirty={editor.dirty}
            saving={files.saving}
            reportBlocked={running ? 'Wait for the run to finish' : files.reportBlocked}
            projectName={project.projectName}
            onSave={() => void files.save()}
            onExportHtml={() => void files.exportHtml()}
            onExportJson={files.exportJson}
          />
          <div className="nb-undo">
            <Button size="sm" variant="ghost" onClick={undo} disabled={!editor.canUndo} title="Undo the last notebook edit (Ctrl+Z)" data-testid="nb-undo">
              Undo
            </Button>
            <Button size="sm" variant="ghost" onClick={redo} disabled={!editor.canRedo} title="Redo (Ctrl+Shift+Z)" data-testid="nb-redo">
              Redo
            </Button>
          </div>
        </>
      }
      status={<RunStatus job={runner.job} record={runner.record} projectName={project.projectName} onCancel={runner.cancel} />}
    >
      {files.problem && (
        <Message tone="error" title={files.problem.title}>
          <IssueList issues={files.problem.lines} testId="nb-open-problems" />
        </Message>
      )}
      <div className="nb-notebook" data-testid="nb-notebook">
        <NotebookTitle title={state.doc.title} origin={editor.origin} dirty={editor.dirty} cells={state.doc.cells.length} onChange={(title) => editor.edit({ type: 'title', title })} />
        <IssueList issues={check.general.map((i) => `${i.where}: ${i.message}`)} />
        {state.doc.cells.length === 0 && <EmptyState>This notebook has no cells yet. Add one below.</EmptyState>}
        <CellList editor={editor} record={runner.record} live={runner.live} openModel={model.label} runBlocked={running ? 'A run is in progress' : model.blocked} onRun={(upTo) => runner.run(upTo)} />
      </div>
    </ViewLayout>
  );
}
