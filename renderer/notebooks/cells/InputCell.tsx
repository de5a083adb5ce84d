/** A prompts or dataset cell: what it holds at a glance, and its fields as JSON checked against the cell schema. */
import { useState } from 'react';
import { Button } from '../../components/Button.tsx';
import type { CellInput } from '../editor-state.ts';
import { cellJsonText, parseCellJson } from '../cell-json.ts';
import { JsonEditor } from '../JsonEditor.tsx';
import type { CellBodyProps } from './types.ts';

function Summary({ cell }: { cell: InputCellInput }) {
  if (cell.kind === 'prompts') {
    return (
      <ol className="nb-prompts" start={0}>
        {cell.prompts.map((p, i) => (
          <li key={i}>
            {p.label && <span className="nb-prompt-label">{p.label}</span>}
            <span className="nb-prompt-text">{'text' in p ? p.text : `ids ${p.ids.join(', ')}`}</span>
          </li>
        ))}
      </ol>
    );
  }
  const d = cell.dataset;
  return <p className="nb-meta">{'builtin' in d ? `Built-in dataset “${d.builtin}”` : `${d.examples.length} inline examples${d.name ? ` (${d.name})` : ''}`}</p>;
}

type InputCellInput = Extract<CellInput, { kind: 'prompts' | 'dataset' }>;

export function InputCell({ cell, onChange }: Pick<CellBodyProps<'prompts' | 'dataset'>, 'cell'> & { onChange(cell: InputCellInput): void }) {
  const [editing, setEditing] = useState(false);
  return (
    <div className="nb-input-cell">
      <div className="nb-input-summary">
        <Summary cell={cell} />
        <Button size="sm" variant="ghost" onClick={() => setEditing((e) => !e)} data-testid="cell-json-toggle">
          {editing ? 'Done' : 'Edit as JSON'}
        </Button>
      </div>
      {editing && <JsonEditor label={`${cell.kind} cell`} initialText={cellJsonText(cell)} parse={(text) => parseCellJson(cell.kind, text)} onValid={onChange} testId="cell-json" />}
    </div>
  );
}
