// Health bands: which band a score falls in, and how each band is named. Colours live in tokens.css
// (`--band-<band>-*`); icons in components/BandBadge.tsx. The same mapping is used by table, cards and charts.
import type { Band } from '../api/bindings/Band';

export const BANDS: readonly Band[] = ['healthy', 'at_risk', 'critical'];

export interface Thresholds {
  healthy_min: number;
  at_risk_min: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { healthy_min: 70, at_risk_min: 40 };

const LABELS: Record<Band, string> = { healthy: 'Healthy', at_risk: 'At risk', critical: 'Critical' };

export function bandLabel(band: Band): string {
  return LABELS[band];
}

/** Healthy ≥ healthy_min, At risk ≥ at_risk_min, else Critical. */
export function bandFor(score: number, t: Thresholds = DEFAULT_THRESHOLDS): Band {
  if (score >= t.healthy_min) return 'healthy';
  if (score >= t.at_risk_min) return 'at_risk';
  return 'critical';
}

/** The CSS variable holding a band's strong colour (text, chart strokes). */
export function bandColorVar(band: Band): string {
  return `--band-${band.replace('_', '-')}`;
}

/** The class that paints a band's badge (background + text, AA in both themes). */
export function bandClass(band: Band): string {
  return `band band--${band.replace('_', '-')}`;
}

/** Bucket i of the distribution ([0–9], [10–19], … [90–100]) coloured by the band its lower edge falls in. */
export function bucketBand(index: number, t: Thresholds = DEFAULT_THRESHOLDS): Band {
  return bandFor(index * 10, t);
}

export function isBand(value: string): value is Band {
  return (BANDS as readonly string[]).includes(value);
}
