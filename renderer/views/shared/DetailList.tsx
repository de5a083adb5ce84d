/** A compact key/value list for drill-down details. */
export function DetailList({ items, testId }: { items: readonly (readonly [string, string | number])[]; testId?: string }) {
  return (
    <dl className="detail-list" data-testid={testId}>
      {items.map(([k, v]) => (
        <div key={k} className="detail-item">
          <dt>{k}</dt>
          <dd>{typeof v === 'number' ? formatNumber(v) : v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return '—';
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toFixed(4);
}
