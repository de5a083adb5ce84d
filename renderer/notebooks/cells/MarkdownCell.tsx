/**
 * A markdown cell: its text rendered by the notebooks' safe renderer (all HTML escaped, only
 * http(s)/mailto links), and an editor beside the preview.
 */
import { useMemo, useState } from 'react';
import { renderMarkdown } from '../../../notebooks/markdown.ts';
import { Button } from '../../components/Button.tsx';
import type { CellBodyProps } from './types.ts';

export function MarkdownCell({ cell, onChange }: CellBodyProps<'markdown'>) {
  const [editing, setEditing] = useState(false);
  // Safe by construction: renderMarkdown escapes every character of the text before formatting.
  const html = useMemo(() => renderMarkdown(cell.text), [cell.text]);
  return (
    <div className={editing ? 'nb-markdown-edit' : undefined}>
      {editing && <textarea className="input nb-textarea" rows={Math.min(14, Math.max(4, cell.text.split('\n').length + 1))} value={cell.text} onChange={(e) => onChange({ ...cell, text: e.currentTarget.value })} data-testid="markdown-text" aria-label="Markdown" />}
      <div className="nb-markdown-view">
        <div className="nb-markdown" dangerouslySetInnerHTML={{ __html: html }} />
        <Button size="sm" variant="ghost" className="nb-markdown-toggle" onClick={() => setEditing((e) => !e)} data-testid="markdown-edit">
          {editing ? 'Done' : 'Edit'}
        </Button>
      </div>
    </div>
  );
}
