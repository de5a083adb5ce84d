import type { ReactNode } from 'react';

export interface PanelProps {
  readonly title?: ReactNode;
  readonly subtitle?: ReactNode;
  readonly actions?: ReactNode;
  readonly children: ReactNode;
  readonly className?: string;
  readonly testId?: string;
}

/** A white card with an optional header row (title left, actions right). */
export function Panel({ title, subtitle, actions, children, className, testId }: PanelProps) {
  return (
    <section className={['panel', className].filter(Boolean).join(' ')} data-testid={testId}>
      {(title || actions) && (
        <header className="panel-header">
          <div>
            {title && <h2 className="panel-title">{title}</h2>}
            {subtitle && <p className="panel-subtitle">{subtitle}</p>}
          </div>
          {actions && <div className="panel-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}
