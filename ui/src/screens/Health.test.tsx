import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { commands, type AccountId } from '../api/commands';
import { accountRow, defaultThresholds, overview, snapshot, snapshotOpen } from '../test/fixtures';
import { renderWithProviders } from '../test/render';
import { openAccountPanel, panelRequestStore } from '../lib/nav';
import { Health } from './Health';

vi.mock('../api/commands', () => ({
  commands: {
    listAccounts: vi.fn(),
    openAccount: vi.fn(),
    takeSnapshot: vi.fn(),
    listSnapshots: vi.fn(),
    healthHistory: vi.fn(),
    listExecutions: vi.fn(),
    listPlaybooks: vi.fn(),
    suggestPlaybook: vi.fn(),
    calculateHealth: vi.fn(),
  },
}));
const api = vi.mocked(commands);

const XSS = '<img src=x onerror=alert(1)>';
const rows = [
  accountRow(1, { name: XSS }),
  accountRow(2, { name: 'Globex', health_score: 55, band: 'at_risk' }),
  accountRow(3, { name: 'Initech', health_score: 20.06, band: 'critical', profile: { arr: 98000, custom: { Currency: 'EUR' } } }),
];

beforeEach(() => {
  vi.resetAllMocks();
  api.listAccounts.mockResolvedValue({ rows, total: rows.length });
  api.openAccount.mockImplementation(async (id) => {
    const row = rows.find((r) => r.id === id)!;
    return snapshotOpen(snapshot(100 + Number(id), Number(id), row.name));
  });
  api.listSnapshots.mockResolvedValue([]);
  api.healthHistory.mockResolvedValue([]);
  api.listExecutions.mockResolvedValue([]);
  api.listPlaybooks.mockResolvedValue([]);
  api.suggestPlaybook.mockResolvedValue(null);
});

function renderHealth() {
  return renderWithProviders(<Health overview={overview()} thresholds={defaultThresholds} />);
}

describe('the account table', () => {
  it('shows names from files as text, never as HTML', async () => {
    const { container } = renderHealth();
    const first = (await screen.findAllByTestId('account-row'))[0]!;
    expect(within(first).getByTestId('account-name').textContent).toBe(XSS);
    expect(first).toHaveAttribute('data-account-name', XSS);
    expect(container.querySelector('img')).toBeNull();
  });

  it('shows each score with its band label, money with currency and separators', async () => {
    renderHealth();
    const [a, b, c] = await screen.findAllByTestId('account-row');
    expect(within(a!).getByTestId('account-score').textContent).toBe('72.4 Healthy');
    expect(within(b!).getByTestId('account-score').textContent).toBe('55.0 At risk');
    expect(within(c!).getByTestId('account-score').textContent).toBe('20.1 Critical');
    expect(a).toHaveTextContent('$1,200,000');
    expect(c).toHaveTextContent('€98,000');
    expect(c).toHaveAttribute('data-account-id', '3');
  });

  it('asks the core to sort when a header is clicked', async () => {
    const user = userEvent.setup();
    renderHealth();
    await screen.findAllByTestId('account-row');
    await user.click(screen.getByTestId('sort-health'));
    await waitFor(() =>
      expect(api.listAccounts).toHaveBeenLastCalledWith(expect.objectContaining({ sort: 'health', descending: true, offset: 0, limit: 200 })),
    );
  });

  it('searches through the core as you type, and / focuses the search', async () => {
    const user = userEvent.setup();
    renderHealth();
    await screen.findAllByTestId('account-row');
    fireEvent.keyDown(document.body, { key: '/' });
    expect(screen.getByTestId('account-search')).toHaveFocus();
    await user.keyboard('glob');
    await waitFor(() => expect(api.listAccounts).toHaveBeenLastCalledWith(expect.objectContaining({ search: 'glob' })));
  });
});

describe('keyboard and the account panel', () => {
  it('↓ selects, Enter opens, ↓ again moves the panel (a new open each time), Esc closes', async () => {
    renderHealth();
    await screen.findAllByTestId('account-row');

    fireEvent.keyDown(document.body, { key: 'ArrowDown' });
    const rowsNow = screen.getAllByTestId('account-row');
    expect(rowsNow[0]).toHaveAttribute('aria-selected', 'true');
    expect(screen.queryByTestId('account-panel')).toBeNull();
    expect(api.openAccount).not.toHaveBeenCalled();

    fireEvent.keyDown(document.body, { key: 'Enter' });
    const panel = await screen.findByTestId('account-panel');
    expect(within(panel).getByTestId('panel-account-name').textContent).toBe(XSS);
    expect(await within(panel).findByTestId('snapshot-id')).toHaveTextContent('101');
    expect(api.openAccount).toHaveBeenCalledTimes(1);

    fireEvent.keyDown(document.body, { key: 'ArrowDown' });
    await waitFor(() => expect(screen.getByTestId('panel-account-name')).toHaveTextContent('Globex'));
    expect(await screen.findByTestId('snapshot-id')).toHaveTextContent('102');
    // The same panel, updated in place (a long review must not build a new one per account).
    expect(screen.getByTestId('account-panel')).toBe(panel);
    expect(api.openAccount).toHaveBeenCalledTimes(2);
    expect(api.openAccount).toHaveBeenLastCalledWith(2);

    fireEvent.keyDown(document.body, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('account-panel')).toBeNull());
    expect(screen.getAllByTestId('account-row')[1]).toHaveAttribute('aria-selected', 'true');
  });

  it('opens the panel of an account asked for from outside the tab (the palette Ask), once', async () => {
    openAccountPanel(3 as unknown as AccountId, 'Initech');
    renderHealth();
    const panel = await screen.findByTestId('account-panel');
    expect(within(panel).getByTestId('panel-account-name')).toHaveTextContent('Initech');
    await waitFor(() => expect(api.openAccount).toHaveBeenCalledWith(3));
    expect(panelRequestStore.get()).toBeNull();
    openAccountPanel(2 as unknown as AccountId, 'Globex');
    await waitFor(() => expect(screen.getByTestId('panel-account-name')).toHaveTextContent('Globex'));
    expect(api.openAccount).toHaveBeenLastCalledWith(2);
  });

  it('a click opens the panel; opening the same account again asks the core again', async () => {
    const user = userEvent.setup();
    renderHealth();
    const [, , initech] = await screen.findAllByTestId('account-row');
    await user.click(initech!);
    expect(await screen.findByTestId('panel-account-name')).toHaveTextContent('Initech');
    await user.click(screen.getByTestId('panel-close'));
    await user.click(screen.getAllByTestId('account-row')[2]!);
    await waitFor(() => expect(api.openAccount).toHaveBeenCalledTimes(2));
  });

  it('shows what opening did: the snapshot, whether it was created, changes since, the cooldown', async () => {
    api.openAccount.mockResolvedValue(
      snapshotOpen(snapshot(55, 1, XSS, { snapshot_type: 'event_driven', trigger_event: 'kpi_data_uploaded' }), {
        created: false,
        changes_since: 2,
        cooldown_remaining_seconds: 192,
      }),
    );
    const user = userEvent.setup();
    renderHealth();
    await user.click((await screen.findAllByTestId('account-row'))[0]!);
    expect(await screen.findByTestId('snapshot-id')).toHaveTextContent(/^55$/);
    expect(screen.getByTestId('snapshot-type').textContent).toBe('event_driven');
    expect(screen.getByTestId('snapshot-trigger').textContent).toBe('kpi_data_uploaded');
    expect(screen.getByTestId('snapshot-created')).toHaveAttribute('data-created', 'false');
    expect(screen.getByTestId('changes-since')).toHaveTextContent('2 changes since this snapshot');
    expect(screen.getByTestId('cooldown-remaining')).toHaveTextContent(/in 3:1[12]/);
  });

  it('Ctrl+S in the panel takes a snapshot and shows it', async () => {
    api.takeSnapshot.mockResolvedValue(snapshot(900, 1, XSS));
    const user = userEvent.setup();
    renderHealth();
    await user.click((await screen.findAllByTestId('account-row'))[0]!);
    await screen.findByTestId('snapshot-id');
    fireEvent.keyDown(window, { key: 's', ctrlKey: true });
    await waitFor(() => expect(screen.getByTestId('snapshot-id')).toHaveTextContent('900'));
    expect(api.takeSnapshot).toHaveBeenCalledWith(1);
    expect(screen.getByTestId('changes-since')).toHaveTextContent('No changes since this snapshot');
  });
});
