// The three honest states of anything that loads: a skeleton, an empty state that says what to do next,
// and an error with its message, its code and what to try.
import { CircleAlert, RotateCw } from 'lucide-react';
import type { ReactNode } from 'react';
import { hintFor, toErrorPayload, type ShownError } from '../api/errors';

export function Skeleton({ lines = 3, width }: { lines?: number; width?: string }) {
  return (
    <div className="skeleton-stack" aria-busy="true" aria-label="Loading">
      {Array.from({ length: lines }, (_, i) => (
        <span key={i} className="skeleton" style={{ width: width ?? `${90 - ((i * 17) % 40)}%` }} />
      ))}
    </div>
  );
}

export function EmptyState({
  icon,
  title,
  children,
  actions,
  testId,
}: {
  icon?: ReactNode;
  title: string;
  children?: ReactNode;
  actions?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="state" data-testid={testId}>
      <div className="state__title">
        {icon}
        {title}
      </div>
      {children && <div>{children}</div>}
      {actions && <div className="state__actions">{actions}</div>}
    </div>
  );
}

export function ErrorState({
  error,
  title = 'Could not load this',
  onRetry,
}: {
  error: ShownError | unknown;
  title?: string;
  onRetry?: () => void;
}) {
  const e = toErrorPayload(error);
  return (
    <div className="state state--error" role="alert" data-testid="error-state" data-code={e.code}>
      <div className="state__title">
        <CircleAlert size={16} aria-hidden="true" />
        {title}
      </div>
      <div>{e.message}</div>
      <div className="muted">
        {hintFor(e.code)} <span className="state__code">({e.code})</span>
      </div>
      {onRetry && (
        <div className="state__actions">
          <button type="button" className="btn btn--small" onClick={onRetry}>
            <RotateCw size={12} aria-hidden="true" />
            Try again
          </button>
        </div>
      )}
    </div>
  );
}
