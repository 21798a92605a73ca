// Radix toasts for background outcomes; the queue lives in toastStore so events outside React can add to it.
import * as Toast from '@radix-ui/react-toast';
import { X } from 'lucide-react';
import { useStore } from '../lib/store';
import { dismissToast, toastStore } from './toastStore';

export function Toaster() {
  const toasts = useStore(toastStore);
  return (
    <Toast.Provider swipeDirection="right" duration={6000}>
      {toasts.map((t) => (
        <Toast.Root
          key={t.id}
          className={`toast toast--${t.tone}`}
          data-testid="toast"
          type={t.tone === 'error' ? 'foreground' : 'background'}
          duration={t.tone === 'error' ? 12000 : 6000}
          onOpenChange={(open) => {
            if (!open) dismissToast(t.id);
          }}
        >
          <Toast.Title className="toast__title">{t.title}</Toast.Title>
          {t.description && <Toast.Description className="toast__body">{t.description}</Toast.Description>}
          <Toast.Close className="icon-btn toast__close" aria-label="Dismiss">
            <X size={14} aria-hidden="true" />
          </Toast.Close>
        </Toast.Root>
      ))}
      <Toast.Viewport className="toast-viewport" />
    </Toast.Provider>
  );
}
