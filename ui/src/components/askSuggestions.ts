// Three questions that fit the account as its snapshot shows it.
import type { Snapshot } from '../api/bindings/Snapshot';

export function askSuggestions(s: Snapshot | undefined | null): string[] {
  const out: string[] = [];
  const c = s?.content;
  const trend = c?.health?.trend ?? [];
  const last = trend[trend.length - 1];
  const prev = trend[trend.length - 2];
  if (c?.health && last && prev && last.score < prev.score) out.push('Why did health drop?');
  else if (c?.health && last && prev && last.score > prev.score) out.push('Why did health improve?');
  const off = c?.kpis.filter((k) => k.status === 'off_target') ?? [];
  if (off.length > 0) out.push('Which KPIs are off target?');
  if (c?.profile.renewal_date) out.push('When does the contract renew?');
  if (c?.playbooks.some((p) => p.status === 'in_progress')) out.push('Which playbooks are in progress?');
  if (c?.health) out.push('Which category drags the score?');
  for (const fallback of ["What's the current status?", 'What changed since last month?', 'Where did the data come from?']) {
    out.push(fallback);
  }
  return [...new Set(out)].slice(0, 3);
}

export const PORTFOLIO_SUGGESTIONS = [
  'Which accounts are at risk?',
  'Which accounts renew in the next 90 days?',
  'Who are the biggest movers?',
];
