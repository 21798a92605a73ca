// Questions and answers since the window opened, per place (an account's panel, the Health tab). Kept in memory
// only: they go when the window closes.
import type { AskAnswer } from '../api/bindings/AskAnswer';

export type AskExchange = { question: string; answer: AskAnswer };

const history = new Map<string, AskExchange[]>();

export function askHistory(scope: string): AskExchange[] {
  return history.get(scope) ?? [];
}

export function rememberAsk(scope: string, exchange: AskExchange): AskExchange[] {
  const next = [...askHistory(scope), exchange];
  history.set(scope, next);
  return next;
}

export function clearAskHistory() {
  history.clear();
}
