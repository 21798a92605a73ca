import { render, screen } from '@testing-library/react';
import * as RadixTooltip from '@radix-ui/react-tooltip';
import { describe, expect, it } from 'vitest';
import { snapshot, snapshotOpen } from '../test/fixtures';
import type { SnapshotId } from '../api/commands';
import { orderPair } from './DiffView';
import { SnapshotContext } from './SnapshotContext';
import { togglePick } from './Timeline';
import { remainingSeconds } from './useSnapshotOpen';
import { KpiSection } from './KpiSection';
import { ProfileSection } from './ProfileSection';

const id = (n: number) => n as unknown as SnapshotId;

describe('snapshot context', () => {
  it('counts the cooldown down from what the core reported', () => {
    expect(remainingSeconds(192, 1_000_000, 1_000_000)).toBe(192);
    expect(remainingSeconds(192, 1_000_000, 1_010_000)).toBe(182);
    expect(remainingSeconds(192, 1_000_000, 1_500_000)).toBe(0);
  });

  it('offers "Take snapshot now" and counts changes the panel heard about since opening', () => {
    const s = snapshot(7, 1, 'TechCorp', { created_at: new Date(Date.now() - 400_000).toISOString() });
    render(
      <RadixTooltip.Provider>
        <SnapshotContext
          data={snapshotOpen(s, { created: false, changes_since: 1 })}
          extraChanges={1}
          cooldownLeft={0}
          now={Date.now()}
          onTake={() => {}}
          taking={false}
        />
      </RadixTooltip.Provider>,
    );
    expect(screen.getByTestId('changes-since')).toHaveTextContent('2 changes since this snapshot');
    expect(screen.getByTestId('cooldown-remaining')).toHaveTextContent('Automatic snapshots possible now');
    expect(screen.getByText('Stale')).toBeInTheDocument();
    expect(screen.getByTestId('take-snapshot')).toBeEnabled();
  });
});

describe('timeline and diff', () => {
  it('compares at most two snapshots; a third tick replaces the oldest pick', () => {
    expect(togglePick([], id(1))).toEqual([1]);
    expect(togglePick([id(1)], id(3))).toEqual([1, 3]);
    expect(togglePick([id(1), id(3)], id(5))).toEqual([3, 5]);
    expect(togglePick([id(1), id(3)], id(1))).toEqual([3]);
  });

  it('always diffs older → newer, whatever order they were picked in', () => {
    expect(orderPair(id(9), id(4))).toEqual([4, 9]);
    expect(orderPair(id(4), id(9))).toEqual([4, 9]);
  });
});

describe('snapshot sections', () => {
  it('shows each KPI against its target with a worded status', () => {
    render(
      <KpiSection
        kpis={[
          { name: 'NPS', category: 'Sentiment', value: 42, unit: null, target: 50, direction: 'higher', period: '2025-03-01', status: 'off_target' },
          { name: 'Open P1s', category: null, value: 1, unit: null, target: 2, direction: 'lower', period: '2025-03-01', status: 'on_target' },
        ]}
      />,
    );
    const [nps, p1] = screen.getAllByTestId('kpi-row');
    expect(nps).toHaveTextContent('Off target');
    expect(nps).toHaveTextContent('≥ 50');
    expect(p1).toHaveTextContent('On target');
    expect(p1).toHaveTextContent('≤ 2');
  });

  it('shows profile text from files as text, custom fields included', () => {
    const { container } = render(
      <ProfileSection profile={{ notes: '<script>alert(1)</script>', arr: 250000, custom: { '<b>Tier</b>': 'Gold' } }} />,
    );
    expect(screen.getByText('<script>alert(1)</script>')).toBeInTheDocument();
    expect(screen.getByText('<b>Tier</b>')).toBeInTheDocument();
    expect(screen.getByText('$250,000')).toBeInTheDocument();
    expect(container.querySelector('script, b')).toBeNull();
  });
});
