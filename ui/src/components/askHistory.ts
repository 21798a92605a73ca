// Questions and answers since the window opened, per place (an account's panel, the portfolio Ask on the Health
// tab and in the palette). Kept in memory only: they go when the window closes. Every box showing a place
// follows it, so a question asked in the palette shows on the Health tab too.
import { useSyncExternalStore } from 'react';
import type { AskAnswer } from '../api/bindings/AskAnswer';

export type AskExchange = { question: string; answer: AskAnswer };

const NONE: AskExchange[] = [];
const history = new Map<string, AskExchange[]>();
const listeners = new Set<() => void>();

export function askHistory(scope: string): AskExchange[] {
  return history.get(scope) ?? NONE;
}

export function rememberAsk(scope: string, exchange: AskExchange): AskExchange[] {
  const next = [...askHistory(scope), exchange];
  history.set(scope, next);
  for (const l of [...listeners]) l();
  return next;
}

export function clearAskHistory() {
  history.clear();
  for (const l of [...listeners]) l();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function useAskHistory(scope: string): AskExchange[] {
  const get = () => askHistory(scope);
  return useSyncExternalStore(subscribe, get, get);
}
