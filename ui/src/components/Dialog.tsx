// A modal dialog (Radix) with a title, an optional description and a footer of actions.
import * as RadixDialog from '@radix-ui/react-dialog';
import { X } from 'lucide-react';
import type { ReactNode } from 'react';

export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  children,
  footer,
  testId,
  wide,
  dismissable = true,
  modal = true,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
  footer?: ReactNode;
  testId?: string;
  wide?: boolean;
  /** False while work that must not be abandoned runs: Esc and outside clicks do nothing. */
  dismissable?: boolean;
  /** False for information that shouldn't block the window (a report): a floating sheet, no overlay. */
  modal?: boolean;
}) {
  return (
    <RadixDialog.Root open={open} modal={modal} onOpenChange={(o) => (dismissable || o ? onOpenChange(o) : undefined)}>
      <RadixDialog.Portal>
        {modal && <RadixDialog.Overlay className="dialog-overlay" />}
        <RadixDialog.Content
          className={`dialog${wide ? ' dialog--wide' : ''}${modal ? '' : ' dialog--sheet'}`}
          data-testid={testId}
          onEscapeKeyDown={(e) => {
            if (!dismissable) e.preventDefault();
          }}
          onPointerDownOutside={(e) => {
            if (!dismissable) e.preventDefault();
          }}
        >
          <div className="dialog__header">
            <RadixDialog.Title className="dialog__title">{title}</RadixDialog.Title>
            {dismissable && (
              <RadixDialog.Close className="icon-btn" aria-label="Close">
                <X size={16} aria-hidden="true" />
              </RadixDialog.Close>
            )}
          </div>
          {description ? (
            <RadixDialog.Description className="dialog__description">{description}</RadixDialog.Description>
          ) : (
            <RadixDialog.Description className="visually-hidden">{title}</RadixDialog.Description>
          )}
          <div className="dialog__body">{children}</div>
          {footer && <div className="dialog__footer">{footer}</div>}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
