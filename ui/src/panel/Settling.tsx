// Content of the account panel that may still be the previous account's: while the next account's data are on
// their way (placeholder data), it is marked busy and made inert, so nothing in it can be clicked, ticked or
// submitted for the wrong account.
import { useLayoutEffect, useRef, type ReactNode, type RefObject } from 'react';

/** Makes the element inert while `busy` (before paint, so no click lands in between). */
export function useInert(ref: RefObject<HTMLElement | null>, busy: boolean) {
  useLayoutEffect(() => {
    if (ref.current) ref.current.inert = busy;
  }, [ref, busy]);
}

export function Settling({ busy, children, className }: { busy: boolean; children: ReactNode; className?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useInert(ref, busy);
  return (
    <div ref={ref} className={className} aria-busy={busy || undefined}>
      {children}
    </div>
  );
}
