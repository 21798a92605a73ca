// An Ask citation names a snapshot and a JSON path (`$.kpis[2].value`). The panel shows that snapshot and marks
// the element that displays the path: each displayed field carries its path in `data-path`, and the one the
// citation points at gets `data-cited`. Paths the sections do not display (the account's name, the trend,
// playbooks and imports as the snapshot recorded them) are shown in a "Cited field" row read from the document.
import { createContext, useContext } from 'react';

/** The displayed element a cited path lands on, or null when no section displays it. */
export function citedAnchor(path: string): string | null {
  const health = /^\$\.health\.(score|band|period)$/.exec(path);
  if (health) return '$.health.score';
  const driver = /^(\$\.health\.categories\[\d+\]\.drivers\[\d+\])(\.\w+)?$/.exec(path);
  if (driver) return driver[1]!;
  const category = /^(\$\.health\.categories\[\d+\])(\.\w+)?$/.exec(path);
  if (category) return category[1]!;
  const kpi = /^(\$\.kpis\[\d+\])(\.\w+)?$/.exec(path);
  if (kpi) return kpi[1]!;
  if (/^\$\.profile\.\w+$/.test(path) || /^\$\.profile\.custom\."[^"]*"$/.test(path)) return path;
  if (/^\$\.changes\.lines\[\d+\]$/.test(path)) return path;
  return null;
}

/** The value at a simple JSON path (`$.a.b[0].c`) of a document, or undefined. */
export function readPath(doc: unknown, path: string): unknown {
  if (!path.startsWith('$')) return undefined;
  // `.key`, `."quoted key"` (SQLite's form for keys with spaces) or `[n]`.
  const steps = path.slice(1).match(/\."[^"]*"|\.[^.[\]"]+|\[\d+\]/g) ?? [];
  let at: unknown = doc;
  for (const step of steps) {
    if (at == null || typeof at !== 'object') return undefined;
    const key = step.startsWith('."') ? step.slice(2, -1) : step.slice(1);
    at = step.startsWith('[') ? (at as unknown[])[Number(step.slice(1, -1))] : (at as Record<string, unknown>)[key];
  }
  return at;
}

/** The anchor the panel marks; null when nothing is cited. */
export const CitedAnchor = createContext<string | null>(null);

/** The anchor of the citation the panel is showing, if any. */
export function useCitedAnchor(): string | null {
  return useContext(CitedAnchor);
}

/** Props for an element displaying `path`: its path, and `data-cited` when the citation lands on it. */
export function citedProps(anchor: string | null, path: string): { 'data-path': string; 'data-cited'?: 'true' } {
  return anchor === path ? { 'data-path': path, 'data-cited': 'true' } : { 'data-path': path };
}
