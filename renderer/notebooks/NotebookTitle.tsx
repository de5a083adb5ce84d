/** The notebook's title (editable), where it came from, and whether it is saved. */
export interface NotebookTitleProps {
  readonly title: string;
  readonly origin: string;
  readonly dirty: boolean;
  readonly cells: number;
  onChange(title: string): void;
}

export function NotebookTitle({ title, origin, dirty, cells, onChange }: NotebookTitleProps) {
  return (
    <div className="nb-title">
      <input className="nb-title-input" value={title} onChange={(e) => onChange(e.currentTarget.value)} aria-label="Notebook title" data-testid="nb-title" />
      <p className="nb-meta">
        {cells} cells · from {origin}
        {dirty ? <span className="nb-unsaved"> · not saved in the project</span> : <span className="nb-saved"> · saved</span>}
      </p>
    </div>
  );
}
