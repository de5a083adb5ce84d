/** Save the notebook into the project; download it as an HTML report or as JSON. */
import { Button } from '../components/Button.tsx';

export interface NotebookActionsProps {
  readonly dirty: boolean;
  readonly saving: boolean;
  /** Null when the report can be exported, else why not. */
  readonly reportBlocked: string | null;
  readonly projectName: string | null;
  onSave(): void;
  onExportHtml(): void;
  onExportJson(): void;
}

export function NotebookActions({ dirty, saving, reportBlocked, projectName, onSave, onExportHtml, onExportJson }: NotebookActionsProps) {
  return (
    <div className="field nb-actions">
      <span className="field-label">Notebook</span>
      <div className="nb-open-row">
        <Button onClick={onSave} disabled={saving} data-testid="nb-save" title={projectName ? `Save into "${projectName}"` : 'Save into a new project'}>
          {saving ? 'Saving…' : dirty ? 'Save to project' : 'Saved ✓'}
        </Button>
        <Button onClick={onExportHtml} disabled={reportBlocked !== null} title={reportBlocked ?? 'A self-contained HTML report: figures interactive, data embedded'} data-testid="nb-export-html">
          Export HTML
        </Button>
        <Button onClick={onExportJson} data-testid="nb-export-json" title="The notebook as a .probescope-notebook.json file">
          Export JSON
        </Button>
      </div>
    </div>
  );
}
