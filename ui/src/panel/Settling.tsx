// Content of the account panel that may still be the previous account's: while the next account's data are on
// their way (placeholder data), it is marked busy and made inert, so nothing in it can be clicked, ticked or
// submitted for the wrong account.
import { useLayoutEffect, useRef, type ReactNode } from 'react';

export function Settling({ busy, children, className, testId }: { busy: boolean; children: ReactNode; className?: string; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    if (ref.current) ref.current.inert = busy;
  }, [busy]);
  return (
    <div ref={ref} className={className} data-testid={testId} aria-busy={busy || undefined}>
      {children}
    </div>
  );
}
