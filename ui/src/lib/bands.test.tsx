import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { BandBadge, ScoreWithBand } from '../components/BandBadge';
import { bandClass, bandColorVar, bandFor, bandLabel, bucketBand } from './bands';

describe('bands', () => {
  it('puts scores in Healthy / At risk / Critical at the default thresholds', () => {
    expect(bandFor(70)).toBe('healthy');
    expect(bandFor(69.9)).toBe('at_risk');
    expect(bandFor(40)).toBe('at_risk');
    expect(bandFor(39.9)).toBe('critical');
  });

  it('follows thresholds changed in Settings', () => {
    const t = { healthy_min: 80, at_risk_min: 50 };
    expect(bandFor(75, t)).toBe('at_risk');
    expect(bandFor(49, t)).toBe('critical');
    expect(bucketBand(7, t)).toBe('at_risk');
    expect(bucketBand(8, t)).toBe('healthy');
  });

  it('names each band and gives each its own colour token', () => {
    expect([bandLabel('healthy'), bandLabel('at_risk'), bandLabel('critical')]).toEqual(['Healthy', 'At risk', 'Critical']);
    expect(bandColorVar('at_risk')).toBe('--band-at-risk');
    expect(new Set([bandClass('healthy'), bandClass('at_risk'), bandClass('critical')]).size).toBe(3);
  });

  it('never shows a band by colour alone: the badge has its label and an icon', () => {
    const { container } = render(<BandBadge band="critical" />);
    expect(screen.getByText('Critical')).toBeInTheDocument();
    expect(container.querySelector('svg')).not.toBeNull();
    expect(container.firstElementChild).toHaveClass('band--critical');
  });

  it('reads a score with its band, and says when an account has no score', () => {
    const { container, rerender } = render(<ScoreWithBand score={72.44} band="healthy" />);
    expect(container.textContent).toBe('72.4 Healthy');
    rerender(<ScoreWithBand score={null} band={null} />);
    expect(container.textContent).toBe('— Not scored');
  });
});
