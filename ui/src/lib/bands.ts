// Health bands: how each band is named and painted. Which band a score falls in is decided by the core only
// (rows, overview buckets and category scores carry their band); the thresholds here are the core's Settings.
// Colours live in tokens.css (`--band-<band>-*`); icons in components/BandBadge.tsx.
import type { Band } from '../api/bindings/Band';
import type { Settings } from '../api/bindings/Settings';

export const BANDS: readonly Band[] = ['healthy', 'at_risk', 'critical'];

/** The band thresholds of the core's Settings (validated there); the UI only draws them, e.g. as trend lines. */
export type Thresholds = Pick<Settings, 'healthy_min' | 'at_risk_min'>;

const LABELS: Record<Band, string> = { healthy: 'Healthy', at_risk: 'At risk', critical: 'Critical' };

export function bandLabel(band: Band): string {
  return LABELS[band];
}

/** The CSS variable holding a band's strong colour (text, chart strokes). */
export function bandColorVar(band: Band): string {
  return `--band-${band.replace('_', '-')}`;
}

/** The class that paints a band's badge (background + text, AA in both themes). */
export function bandClass(band: Band): string {
  return `band band--${band.replace('_', '-')}`;
}

export function isBand(value: string): value is Band {
  return (BANDS as readonly string[]).includes(value);
}
