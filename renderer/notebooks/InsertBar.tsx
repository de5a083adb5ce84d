/** "+ Add cell" between cells: opens a row of cell kinds; picking one inserts it here. */
import { useState } from 'react';
import { Button } from '../components/Button.tsx';
import type { NewCellKind } from './cell-templates.ts';
import { NEW_CELL_KINDS } from './cell-templates.ts';

export function InsertBar({ onInsert, always = false }: { onInsert: (kind: NewCellKind) => void; always?: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <div className={always ? 'nb-insert nb-insert-end' : 'nb-insert'} data-testid="nb-insert">
      {open || always ? (
        <div className="nb-insert-kinds">
          <span className="nb-insert-label">Add</span>
          {NEW_CELL_KINDS.map((k) => (
            <Button
              key={k.kind}
              size="sm"
              onClick={() => {
                onInsert(k.kind);
                setOpen(false);
              }}
              data-testid={`add-${k.kind}`}
            >
              {k.label}
            </Button>
          ))}
          {!always && (
            <Button size="sm" variant="ghost" onClick={() => setOpen(false)}>
              Close
            </Button>
          )}
        </div>
      ) : (
        <button type="button" className="nb-insert-toggle" onClick={() => setOpen(true)} title="Add a cell here">
          + Add cell
        </button>
      )}
    </div>
  );
}
