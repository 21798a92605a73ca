import { describe, expect, it } from 'vitest';
import type { Settings } from '../api/bindings/Settings';
import { draftFrom, parseDraft, weightShares } from './settingsForm';

const saved: Settings = {
  cooldown_seconds: 300,
  healthy_min: 70,
  at_risk_min: 40,
  category_weights: { 'Product Usage': 0.3, Support: 0.1 },
  theme: 'system',
};

describe('settings form', () => {
  it('saves what was typed, as numbers', () => {
    const draft = { ...draftFrom(saved), cooldown: '120', healthyMin: '75.5' };
    expect(parseDraft(draft, saved)).toEqual({ settings: { ...saved, cooldown_seconds: 120, healthy_min: 75.5 } });
  });

  it('refuses a cooldown that is negative, fractional, empty or over a week', () => {
    for (const cooldown of ['-1', '1.5', '', '604801']) {
      const r = parseDraft({ ...draftFrom(saved), cooldown }, saved);
      expect('errors' in r && r.errors.cooldown).toBeTruthy();
    }
    expect(parseDraft({ ...draftFrom(saved), cooldown: '0' }, saved)).toHaveProperty('settings');
  });

  it('keeps At risk below Healthy', () => {
    const r = parseDraft({ ...draftFrom(saved), atRiskMin: '70' }, saved);
    expect('errors' in r && r.errors.atRiskMin).toBe('Must be below the Healthy threshold.');
  });

  it('needs at least one weight above zero, and none negative', () => {
    const zero = parseDraft({ ...draftFrom(saved), weights: { 'Product Usage': '0', Support: '0' } }, saved);
    expect('errors' in zero && zero.errors.weights).toBe('At least one category needs a weight above 0.');
    const negative = parseDraft({ ...draftFrom(saved), weights: { 'Product Usage': '-0.2', Support: '1' } }, saved);
    expect('errors' in negative && negative.errors.weights).toContain('Product Usage');
  });

  it('shows each weight as its share of the score', () => {
    expect(weightShares({ A: '3', B: '1' })).toEqual({ A: 0.75, B: 0.25 });
    expect(weightShares({ A: '0', B: '' })).toEqual({ A: 0, B: 0 });
  });
});
