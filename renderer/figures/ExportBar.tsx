/**
 * Export a figure: image as SVG or PNG at a chosen width, height and scale, data as CSV and
 * JSON. File names come from the figure's name.
 */
import { useEffect, useId, useState } from 'react';
import { Button } from '../components/Button.tsx';
import { FieldProblemsProvider, useFieldProblemRegistry, useReportFieldProblem } from '../components/field-problems.tsx';
import { numberProblem } from '../components/Fields.tsx';
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

/** A compact size field: an out-of-range value is refused with the range (never clamped). */
function SizeInput({ label, value, set, min, max, step = 1 }: { label: string; value: number; set: (v: number) => void; min: number; max: number; step?: number }) {
  const key = useId();
  const [text, setText] = useState(String(value));
  useEffect(() => setText((t) => (Number(t) === value ? t : String(value))), [value]);
  const problem = numberProblem(label, text, min, max, Number.isInteger(step) ? 1 : step);
  useReportFieldProblem(key, problem);
  return (
    <label className="export-size">
      <span>{label}</span>
      <input
        className={problem ? 'input input-compact input-invalid' : 'input input-compact'}
        type="number"
        value={text}
        min={min}
        max={max}
        step={step}
        aria-invalid={problem !== null}
        onChange={(e) => {
          const next = e.currentTarget.value;
          setText(next);
          if (numberProblem(label, next, min, max, Number.isInteger(step) ? 1 : step) === null) set(Number(next));
        }}
      />
    </label>
  );
}

export function ExportBar({ figure, exports, defaultSize = { width: 900, height: 520 } }: ExportBarProps) {
  const images = figure !== undefined;
  const [width, setWidth] = useState(defaultSize.width);
  const [height, setHeight] = useState(defaultSize.height);
  const [scale, setScale] = useState(2);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sizes = useFieldProblemRegistry();

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

  return (
    <div className="export-bar" data-testid="export-bar">
      {images && (
        <div className="export-group">
          <span className="export-label">Image</span>
          <FieldProblemsProvider value={sizes.report}>
            <SizeInput label="Width" value={width} set={setWidth} min={200} max={4000} />
            <SizeInput label="Height" value={height} set={setHeight} min={150} max={4000} />
            <SizeInput label="Scale" value={scale} set={setScale} min={1} max={6} step={0.5} />
          </FieldProblemsProvider>
          <Button size="sm" onClick={() => void image('svg')} disabled={!figure || busy !== null || sizes.first !== null} data-testid="export-svg">
            SVG
          </Button>
          <Button size="sm" onClick={() => void image('png')} disabled={!figure || busy !== null || sizes.first !== null} data-testid="export-png">
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
      {(sizes.first ?? error) && <span className="export-error">{sizes.first ?? error}</span>}
    </div>
  );
}
