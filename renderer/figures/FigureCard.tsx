/** A figure with its title, caption and export toolbar. */
import { useState } from 'react';
import type { ReactNode } from 'react';
import type { PlotDatum } from 'plotly.js-dist-min';
import type { FigureExport } from './ExportBar.tsx';
import { ExportBar } from './ExportBar.tsx';
import type { AxisRanges } from './PlotlyFigure.tsx';
import { PlotlyFigure } from './PlotlyFigure.tsx';
import { PinToProject } from '../projects/PinToProject.tsx';
import type { FigureSpec } from './spec.ts';

export interface FigureCardProps {
  readonly title: string;
  readonly caption?: ReactNode;
  readonly spec: FigureSpec;
  readonly exports: FigureExport;
  readonly height?: number;
  readonly onClick?: (point: PlotDatum) => void;
  readonly onZoom?: (ranges: AxisRanges) => void;
  readonly testId?: string;
  readonly revision?: string;
}

export function FigureCard({ title, caption, spec, exports, height, onClick, onZoom, testId, revision }: FigureCardProps) {
  const [element, setElement] = useState<HTMLElement | null>(null);
  const width = typeof spec.layout.width === 'number' ? spec.layout.width : undefined;
  const size = { width: width ?? 900, height: typeof spec.layout.height === 'number' ? spec.layout.height : (height ?? 520) };
  return (
    <figure className="figure-card" data-testid={testId}>
      <figcaption className="figure-head">
        <span className="figure-title">{title}</span>
        {caption && <span className="figure-caption">{caption}</span>}
      </figcaption>
      {/* Figures have the figure layer's fixed width: one wider than the card scrolls inside it. */}
      <div className="figure-body">
        <PlotlyFigure spec={spec} height={height} onClick={onClick} onZoom={onZoom} onReady={setElement} revision={revision} />
      </div>
      <ExportBar figure={element} exports={exports} defaultSize={size} />
      <PinToProject title={title} spec={spec} exports={exports} />
    </figure>
  );
}
