/**
 * Export a figure: image as SVG or PNG at a chosen width, height and scale, data as CSV and
 * JSON. File names come from the figure's name.
 */
import { useState } from 'react';
import { Button } from '../components/Button.tsx';
import { downloadBlob } from '../export/download.ts';
import type { ImageFormat } from '../export/image.ts';
import { figureImage } from '../export/image.ts';
import { toJsonText } from '../export/json.ts';
import type { Table } from '../export/table.ts';
import { toCsv } from '../export/table.ts';

export interface FigureExport {
  /** Base file name, e.g. "attention-L1H3". */
  readonly name: string;
  /** Tidy table of the plotted values. */
  readonly table: () => Table;
  /** The full result with its parameters. */
  readonly json: () => unknown;
}

export interface ExportBarProps {
  /** The drawn figure; omit for tables (data export only). */
  readonly figure?: HTMLElement | null;
  readonly exports: FigureExport;
  readonly defaultSize?: { width: number; height: number };
}

export function ExportBar({ figure, exports, defaultSize = { width: 900, height: 520 } }: ExportBarProps) {
  const images = figure !== undefined;
  const [width, setWidth] = useState(defaultSize.width);
  const [height, setHeight] = useState(defaultSize.height);
  const [scale, setScale] = useState(2);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function image(format: ImageFormat) {
    if (!figure) return;
    setBusy(format);
    setError(null);
    try {
      downloadBlob(await figureImage(figure, { format, width, height, scale }), `${exports.name}.${format}`);
    } catch (e) {
      setError(`Export failed: ${(e as Error).message}`);
    } finally {
      setBusy(null);
    }
  }

  const data = (kind: 'csv' | 'json') => {
    const text = kind === 'csv' ? toCsv(exports.table()) : toJsonText(exports.json());
    downloadBlob(new Blob([text], { type: kind === 'csv' ? 'text/csv' : 'application/json' }), `${exports.name}.${kind}`);
  };

  const size = (label: string, value: number, set: (v: number) => void, min: number, max: number, step = 1) => (
    <label className="export-size">
      <span>{label}</span>
      <input
        className="input input-compact"
        type="number"
        value={value}
        min={min}
        max={max}
        step={step}
        onChange={(e) => Number.isFinite(e.currentTarget.valueAsNumber) && set(Math.min(max, Math.max(min, e.currentTarget.valueAsNumber)))}
      />
    </label>
  );

  return (
    <div className="export-bar" data-testid="export-bar">
      {images && (
        <div className="export-group">
          <span className="export-label">Image</span>
          {size('Width', width, setWidth, 200, 4000)}
          {size('Height', height, setHeight, 150, 4000)}
          {size('Scale', scale, setScale, 1, 6, 0.5)}
          <Button size="sm" onClick={() => void image('svg')} disabled={!figure || busy !== null} data-testid="export-svg">
            SVG
          </Button>
          <Button size="sm" onClick={() => void image('png')} disabled={!figure || busy !== null} data-testid="export-png">
            PNG
          </Button>
        </div>
      )}
      <div className="export-group">
        <span className="export-label">Data</span>
        <Button size="sm" onClick={() => data('csv')} data-testid="export-csv">
          CSV
        </Button>
        <Button size="sm" onClick={() => data('json')} data-testid="export-json">
          JSON
        </Button>
      </div>
      {error && <span className="export-error">{error}</span>}
    </div>
  );
}
