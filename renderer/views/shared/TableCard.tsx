/** A table result with a title and CSV/JSON export, styled like a figure card. */
import type { ReactNode } from 'react';
import type { FigureExport } from '../../figures/ExportBar.tsx';
import { ExportBar } from '../../figures/ExportBar.tsx';

export function TableCard({ title, caption, exports, children, testId }: { title: string; caption?: ReactNode; exports: FigureExport; children: ReactNode; testId?: string }) {
  return (
    <section className="figure-card" data-testid={testId}>
      <header className="figure-head">
        <span className="figure-title">{title}</span>
        {caption && <span className="figure-caption">{caption}</span>}
      </header>
      <div className="table-body">{children}</div>
      <ExportBar exports={exports} />
    </section>
  );
}
