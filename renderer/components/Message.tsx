import type { ReactNode } from 'react';

export interface MessageProps {
  readonly tone: 'error' | 'warning' | 'info';
  readonly title?: string;
  readonly children: ReactNode;
}

/** An inline message; errors use role=alert so screen readers announce them. */
export function Message({ tone, title, children }: MessageProps) {
  return (
    <div className={`message message-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {title && <strong className="message-title">{title}</strong>}
      <div className="message-body">{children}</div>
    </div>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <div className="empty-state">{children}</div>;
}
