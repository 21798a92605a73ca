// Background outcomes (snapshot created or skipped, import finished) queue here and show as Radix toasts.
import { createStore } from '../lib/store';

export type ToastTone = 'info' | 'success' | 'warning' | 'error';

export interface ToastItem {
  id: number;
  title: string;
  description?: string;
  tone: ToastTone;
}

export const toastStore = createStore<ToastItem[]>([]);
let nextId = 1;
const MAX_TOASTS = 4;

export function pushToast(toast: Omit<ToastItem, 'id'>): number {
  const id = nextId++;
  toastStore.set((list) => [...list, { ...toast, id }].slice(-MAX_TOASTS));
  return id;
}

export function dismissToast(id: number): void {
  toastStore.set((list) => list.filter((t) => t.id !== id));
}
