// Light/dark: the system decides unless Settings says otherwise. The choice is applied as html[data-theme],
// which tokens.css reads; charts ask for the resolved theme to re-read their colours.
import { useSyncExternalStore } from 'react';
import { createStore } from './store';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type ResolvedTheme = 'light' | 'dark';

const choiceStore = createStore<ThemeChoice>('system');

export function normaliseTheme(value: string | null | undefined): ThemeChoice {
  return value === 'light' || value === 'dark' ? value : 'system';
}

export function applyTheme(value: string | null | undefined): void {
  const choice = normaliseTheme(value);
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
  choiceStore.set(choice);
}

function darkQuery(): MediaQueryList | null {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function'
    ? window.matchMedia('(prefers-color-scheme: dark)')
    : null;
}

export function resolveTheme(): ResolvedTheme {
  const choice = choiceStore.get();
  if (choice !== 'system') return choice;
  return darkQuery()?.matches ? 'dark' : 'light';
}

function subscribe(listener: () => void): () => void {
  const mq = darkQuery();
  mq?.addEventListener('change', listener);
  const off = choiceStore.subscribe(listener);
  return () => {
    mq?.removeEventListener('change', listener);
    off();
  };
}

export function useResolvedTheme(): ResolvedTheme {
  return useSyncExternalStore(subscribe, resolveTheme, resolveTheme);
}
