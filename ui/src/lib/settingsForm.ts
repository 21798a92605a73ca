// The Settings form's draft (strings, as typed) and its checks, mirroring what the core will accept.
import type { Settings } from '../api/bindings/Settings';

export interface SettingsDraft {
  cooldown: string;
  healthyMin: string;
  atRiskMin: string;
  weights: Record<string, string>;
}

export type DraftErrors = Partial<Record<'cooldown' | 'healthyMin' | 'atRiskMin' | 'weights', string>>;

export const MAX_COOLDOWN_SECONDS = 7 * 24 * 3600;

export function draftFrom(s: Settings): SettingsDraft {
  return {
    cooldown: String(s.cooldown_seconds),
    healthyMin: String(s.healthy_min),
    atRiskMin: String(s.at_risk_min),
    weights: Object.fromEntries(Object.entries(s.category_weights).map(([k, v]) => [k, String(v)])),
  };
}

const num = (s: string) => (s.trim() === '' ? NaN : Number(s));

/** The settings to save, or what is wrong with the draft. */
export function parseDraft(draft: SettingsDraft, base: Settings): { settings: Settings } | { errors: DraftErrors } {
  const errors: DraftErrors = {};
  const cooldown = num(draft.cooldown);
  if (!Number.isInteger(cooldown) || cooldown < 0 || cooldown > MAX_COOLDOWN_SECONDS) {
    errors.cooldown = `Whole seconds from 0 to ${MAX_COOLDOWN_SECONDS.toLocaleString('en-US')} (one week).`;
  }
  const healthy = num(draft.healthyMin);
  const atRisk = num(draft.atRiskMin);
  if (!(healthy >= 0 && healthy <= 100)) errors.healthyMin = 'A score from 0 to 100.';
  if (!(atRisk >= 0 && atRisk <= 100)) errors.atRiskMin = 'A score from 0 to 100.';
  else if (!errors.healthyMin && atRisk >= healthy) errors.atRiskMin = 'Must be below the Healthy threshold.';
  const weights: Record<string, number> = {};
  for (const [k, v] of Object.entries(draft.weights)) {
    const w = num(v);
    if (!(w >= 0) || !Number.isFinite(w)) errors.weights = `“${k}” needs a weight of 0 or more.`;
    weights[k] = w;
  }
  if (!errors.weights && Object.values(weights).every((w) => w === 0)) {
    errors.weights = 'At least one category needs a weight above 0.';
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    settings: { ...base, cooldown_seconds: cooldown, healthy_min: healthy, at_risk_min: atRisk, category_weights: weights },
  };
}

/** Each weight's share of the total, as a fraction (weights need not add up to 1). */
export function weightShares(weights: Record<string, string>): Record<string, number> {
  const values = Object.entries(weights).map(([k, v]) => [k, Math.max(0, Number(v) || 0)] as const);
  const total = values.reduce((n, [, v]) => n + v, 0);
  return Object.fromEntries(values.map(([k, v]) => [k, total > 0 ? v / total : 0]));
}
