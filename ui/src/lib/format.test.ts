import { describe, expect, it } from 'vitest';
import {
  formatCountdown,
  formatDate,
  formatDuration,
  formatExact,
  formatKpiValue,
  formatMoney,
  formatNumber,
  formatPercent,
  formatRelative,
  formatScore,
  formatShare,
  plural,
} from './format';

describe('money', () => {
  it('shows the currency and thousands separators, in whole units', () => {
    expect(formatMoney(1_200_000)).toBe('$1,200,000');
    expect(formatMoney(1234.56, 'EUR')).toBe('€1,235');
    expect(formatMoney(98_000, 'gbp')).toBe('£98,000');
  });

  it('falls back to dollars for a currency that is not an ISO code, and a dash for no value', () => {
    expect(formatMoney(5000, 'dollars')).toBe('$5,000');
    expect(formatMoney(null)).toBe('—');
    expect(formatMoney(Number.NaN)).toBe('—');
  });
});

describe('percentages and numbers', () => {
  it('keeps at most one decimal', () => {
    expect(formatPercent(12.345)).toBe('12.3%');
    expect(formatPercent(40)).toBe('40%');
    expect(formatPercent(99.96)).toBe('100%');
    expect(formatShare(0.3)).toBe('30%');
    expect(formatShare(1 / 3)).toBe('33.3%');
  });

  it('groups thousands', () => {
    expect(formatNumber(1234567.891)).toBe('1,234,567.9');
    expect(formatNumber(10000, 0)).toBe('10,000');
    expect(plural(1, 'account')).toBe('1 account');
    expect(plural(2500, 'account')).toBe('2,500 accounts');
  });

  it('shows health scores with exactly one decimal', () => {
    expect(formatScore(72.44)).toBe('72.4');
    expect(formatScore(70)).toBe('70.0');
    expect(formatScore(null)).toBe('—');
  });

  it('formats KPI values with their unit', () => {
    expect(formatKpiValue(85, '%')).toBe('85%');
    expect(formatKpiValue(1200, '$')).toBe('$1,200');
    expect(formatKpiValue(4.25, 'days')).toBe('4.3 days');
    expect(formatKpiValue(3, null)).toBe('3');
  });
});

describe('times', () => {
  const now = Date.parse('2025-03-12T10:05:00Z');

  it('says how long ago, in words', () => {
    expect(formatRelative('2025-03-12T10:04:50Z', now)).toBe('just now');
    expect(formatRelative('2025-03-12T10:02:00Z', now)).toBe('3 min ago');
    expect(formatRelative('2025-03-12T08:05:00Z', now)).toBe('2 h ago');
    expect(formatRelative('2025-03-11T09:00:00Z', now)).toBe('yesterday');
    expect(formatRelative('2025-03-07T10:05:00Z', now)).toBe('5 days ago');
    expect(formatRelative('2024-12-01T10:05:00Z', now)).toBe('Dec 1, 2024');
    expect(formatRelative('2025-03-12T10:08:00Z', now)).toBe('in 3 min');
    expect(formatRelative(null, now)).toBe('never');
  });

  it('gives the exact local time for tooltips', () => {
    expect(formatExact('2025-03-12T10:02:13Z')).toBe('Mar 12, 2025, 10:02:13 AM');
  });

  it('reads a calendar date as the date it names', () => {
    expect(formatDate('2025-11-30')).toBe('Nov 30, 2025');
    expect(formatDate(undefined)).toBe('—');
  });

  it('counts down in minutes and seconds', () => {
    expect(formatCountdown(192)).toBe('3:12');
    expect(formatCountdown(59.2)).toBe('1:00');
    expect(formatCountdown(3723)).toBe('1:02:03');
    expect(formatCountdown(-5)).toBe('0:00');
  });

  it('formats durations', () => {
    expect(formatDuration(340)).toBe('340 ms');
    expect(formatDuration(1234)).toBe('1.2 s');
  });
});
