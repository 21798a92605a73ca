import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { filterActions } from './CommandPalette';
import { distributionSeries } from './charts/DistributionChart';
import { ErrorState } from './States';
import { progressPercent } from '../imports/ImportProgressBar';

describe('error state', () => {
  it('shows the message, the code and what to try', () => {
    render(<ErrorState error={{ code: 'header_not_found', message: 'kpis.xlsx: no sheet has a recognisable KPI header' }} />);
    const el = screen.getByTestId('error-state');
    expect(el).toHaveAttribute('data-code', 'header_not_found');
    expect(el).toHaveTextContent('kpis.xlsx: no sheet has a recognisable KPI header');
    expect(el).toHaveTextContent('(header_not_found)');
    expect(el).toHaveTextContent('Put a header row');
  });

  it('turns an unexpected throw into a message with a code', () => {
    render(<ErrorState error={new Error('boom')} />);
    expect(screen.getByTestId('error-state')).toHaveAttribute('data-code', 'ui');
  });
});

describe('distribution chart data', () => {
  it('puts each bucket in the series of the band the core gave it, so bars take band colours', () => {
    // The bands the core's Overview carries at the default thresholds (Healthy ≥ 70, At risk ≥ 40).
    const bands = [...Array(4).fill('critical'), ...Array(3).fill('at_risk'), ...Array(3).fill('healthy')];
    const s = distributionSeries([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], bands);
    expect(s.critical).toEqual([1, 2, 3, 4, null, null, null, null, null, null]);
    expect(s.at_risk).toEqual([null, null, null, null, 5, 6, 7, null, null, null]);
    expect(s.healthy).toEqual([null, null, null, null, null, null, null, 8, 9, 10]);
  });
});

describe('command palette', () => {
  const actions = ['Go to Health', 'Go to Imports', 'Choose KPI file…'].map((label) => ({ id: label, label, run: () => {} }));
  it('matches every typed word, in any order, ignoring case', () => {
    expect(filterActions(actions, 'imports go').map((a) => a.label)).toEqual(['Go to Imports']);
    expect(filterActions(actions, 'KPI').map((a) => a.label)).toEqual(['Choose KPI file…']);
    expect(filterActions(actions, '')).toHaveLength(3);
  });
});

describe('import progress', () => {
  it('is a share of rows when the total is known, indeterminate otherwise', () => {
    expect(progressPercent(250, 1000)).toBe(25);
    expect(progressPercent(10, 0)).toBeNull();
    expect(progressPercent(1200, 1000)).toBe(100);
  });
});
