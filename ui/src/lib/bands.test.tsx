import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { BandBadge, ScoreWithBand } from '../components/BandBadge';
import { bandClass, bandColorVar, bandLabel } from './bands';

describe('bands', () => {
  // Which band a score falls in is the core's decision, tested there: health::score (band_of at the default
  // thresholds) and tests/bands.rs (thresholds changed in Settings, buckets, averages and categories).

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
