import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ImportListItem } from '../api/bindings/ImportListItem';
import type { PlaybookExecution } from '../api/bindings/PlaybookExecution';
import { commands } from '../api/commands';
import { accountRow, asId, importReport } from '../test/fixtures';
import { renderWithProviders } from '../test/render';
import { Activity } from './Activity';
import { Imports } from './Imports';
import { Playbooks } from './Playbooks';

vi.mock('../api/commands', () => ({
  commands: {
    listImports: vi.fn(),
    getImport: vi.fn(),
    undoImport: vi.fn(),
    listPlaybooks: vi.fn(),
    listAccounts: vi.fn(),
    listExecutions: vi.fn(),
    startPlaybook: vi.fn(),
    setStep: vi.fn(),
    completePlaybook: vi.fn(),
    cancelPlaybook: vi.fn(),
    listActivity: vi.fn(),
  },
}));
const api = vi.mocked(commands);

beforeEach(() => vi.resetAllMocks());

/** A line of the import history. */
const historyItem = (over: Partial<ImportListItem>): ImportListItem => ({
  id: asId(4),
  kind: 'kpi',
  file: '/data/March KPIs.xlsx',
  sha256: 'x',
  rows_read: 12,
  rows_imported: 10,
  rows_rejected: 2,
  duration_ms: asId(1500),
  status: 'ok',
  created_at: new Date().toISOString(),
  undo_recorded: true,
  accounts_created: 0,
  ...over,
});

describe('Imports', () => {
  it('opens a past import’s report from the history', async () => {
    const item = historyItem({});
    api.listImports.mockResolvedValue([item]);
    api.getImport.mockResolvedValue(importReport({ dry_run: false }));
    const user = userEvent.setup();
    renderWithProviders(<Imports />);
    const row = await screen.findByTestId('import-history-row');
    expect(row).toHaveTextContent('March KPIs.xlsx');
    expect(row).toHaveTextContent('1.5 s');
    await user.click(row);
    const report = await screen.findByTestId('import-report');
    expect(api.getImport).toHaveBeenCalledWith(4);
    expect(within(report).getAllByTestId('rejected-row')).toHaveLength(2);
  });

  it('undoes a KPI import from its report after a confirmation', async () => {
    const item = historyItem({ id: asId(7), file: '/data/April KPIs.xlsx', status: 'completed' });
    api.listImports.mockResolvedValue([item]);
    api.getImport.mockResolvedValue(importReport({ dry_run: false }));
    api.undoImport.mockResolvedValue({
      import_id: asId(7),
      file: 'April KPIs.xlsx',
      values_restored: 4,
      values_removed: 6,
      accounts_restored: 0,
      accounts_removed: 0,
      events: 2,
    });
    const user = userEvent.setup();
    renderWithProviders(<Imports />);
    await user.click(await screen.findByTestId('import-history-row'));
    await user.click(await screen.findByTestId('undo-import'));
    expect(api.undoImport).not.toHaveBeenCalled();
    expect(screen.getByTestId('undo-import-confirm-text')).toHaveTextContent('remove what it added');
    expect(screen.queryByTestId('undo-import-accounts-removed')).not.toBeInTheDocument();
    await user.click(screen.getByTestId('undo-import-confirm'));
    await waitFor(() => expect(api.undoImport).toHaveBeenCalledWith(7));
    await waitFor(() => expect(screen.queryByTestId('import-report-dialog')).not.toBeInTheDocument());
  });

  it('warns before undoing an import that created accounts that they go with their history', async () => {
    const item = historyItem({ id: asId(9), kind: 'profile', file: '/data/Customers.xlsx', accounts_created: 2 });
    api.listImports.mockResolvedValue([item]);
    api.getImport.mockResolvedValue(importReport({ dry_run: false }));
    const user = userEvent.setup();
    renderWithProviders(<Imports />);
    await user.click(await screen.findByTestId('import-history-row'));
    await user.click(await screen.findByTestId('undo-import'));
    const text = screen.getByTestId('undo-import-confirm-text');
    expect(text).toHaveTextContent('Put back the profiles and account IDs this import changed');
    expect(screen.getByTestId('undo-import-accounts-removed')).toHaveTextContent(
      'This also deletes the 2 accounts this import created, with all their snapshots (manual ones too), ' +
        'health scores, KPI values, playbook runs and activity; none of it can be brought back.',
    );
    await user.click(screen.getByRole('button', { name: 'Keep it' }));
    expect(api.undoImport).not.toHaveBeenCalled();
    expect(screen.queryByTestId('undo-import-confirm-text')).not.toBeInTheDocument();
  });

  it('says why an import made before undo was kept can’t be undone', async () => {
    const item = historyItem({ id: asId(3), kind: 'profile', undo_recorded: false });
    api.listImports.mockResolvedValue([item]);
    api.getImport.mockResolvedValue(importReport({ dry_run: false }));
    const user = userEvent.setup();
    renderWithProviders(<Imports />);
    await user.click(await screen.findByTestId('import-history-row'));
    expect(await screen.findByTestId('undo-import-unavailable')).toHaveTextContent('can’t be undone');
    expect(screen.queryByTestId('undo-import')).not.toBeInTheDocument();
  });

  it('offers no undo for an import already undone', async () => {
    const item = historyItem({ id: asId(8), status: 'undone' });
    api.listImports.mockResolvedValue([item]);
    api.getImport.mockResolvedValue(importReport({ dry_run: false }));
    const user = userEvent.setup();
    renderWithProviders(<Imports />);
    await user.click(await screen.findByTestId('import-history-row'));
    await screen.findByTestId('import-report');
    expect(screen.queryByTestId('undo-import')).not.toBeInTheDocument();
  });

  it('says what to do when nothing was imported yet', async () => {
    api.listImports.mockResolvedValue([]);
    renderWithProviders(<Imports />);
    expect(await screen.findByTestId('import-history')).toHaveTextContent('No imports yet');
  });
});

describe('Playbooks', () => {
  const execution: PlaybookExecution = {
    id: asId(9),
    account_id: asId(2),
    account_name: 'Globex',
    playbook_key: 'voc_sprint',
    playbook_name: 'VoC Sprint',
    status: 'in_progress',
    steps: [
      { title: 'Schedule interviews', done: false, note: null, done_at: null },
      { title: 'Run survey', done: false, note: null, done_at: null },
    ],
    notes: null,
    started_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
    completed_at: null,
  };

  beforeEach(() => {
    api.listPlaybooks.mockResolvedValue([
      { key: 'voc_sprint', name: 'VoC Sprint', description: 'Listen', fits: 'Sentiment slipping', steps: ['Schedule interviews', 'Run survey'] },
    ]);
    api.listAccounts.mockResolvedValue({ rows: [accountRow(2, { name: 'Globex' })], total: 1 });
    api.listExecutions.mockResolvedValue([execution]);
    api.setStep.mockResolvedValue(execution);
    api.completePlaybook.mockResolvedValue({ ...execution, status: 'completed' });
    api.startPlaybook.mockResolvedValue(execution);
  });

  it('starts a playbook only once an account is chosen', async () => {
    const user = userEvent.setup();
    renderWithProviders(<Playbooks />);
    const card = await screen.findByTestId('playbook-card');
    expect(card).toHaveAttribute('data-playbook-key', 'voc_sprint');
    expect(within(card).getByTestId('start-playbook')).toBeDisabled();
    await waitFor(() => expect(screen.getByTestId('playbook-account-select')).toBeEnabled());
    await user.selectOptions(screen.getByTestId('playbook-account-select'), 'Globex');
    await user.click(within(card).getByTestId('start-playbook'));
    expect(api.startPlaybook).toHaveBeenCalledWith(2, 'voc_sprint');
  });

  it('ticks a step (numbered from 1) and completes the run', async () => {
    const user = userEvent.setup();
    renderWithProviders(<Playbooks />);
    const run = await screen.findByTestId('execution');
    expect(run).toHaveAttribute('data-status', 'in_progress');
    await user.click(within(run).getAllByTestId('step-checkbox')[1]!);
    expect(api.setStep).toHaveBeenCalledWith(9, 2, true, null);
    await user.click(within(run).getByTestId('complete-playbook'));
    expect(api.completePlaybook).toHaveBeenCalledWith(9);
  });
});

describe('Activity', () => {
  it('lists what the subscriber did, with the cooldown left for skipped snapshots', async () => {
    const base = {
      event_type: 'KPI_DATA_UPLOADED',
      trigger_event: 'kpi_data_uploaded',
      account_id: asId(1),
      account_name: 'TechCorp Solutions',
      source: 'import 3',
      created_at: new Date().toISOString(),
      handled_at: new Date().toISOString(),
    };
    api.listActivity.mockResolvedValue([
      { ...base, event_id: asId(2), outcome: 'skipped', snapshot_id: null, cooldown_remaining_seconds: 180 },
      { ...base, event_id: asId(1), outcome: 'created', snapshot_id: asId(123), cooldown_remaining_seconds: null },
    ]);
    renderWithProviders(<Activity />);
    const [skipped, created] = await screen.findAllByTestId('activity-item');
    expect(skipped).toHaveAttribute('data-outcome', 'skipped');
    expect(skipped).toHaveTextContent('cooldown 3:00 left');
    expect(created).toHaveAttribute('data-outcome', 'created');
    expect(created).toHaveTextContent('Snapshot #123 created');
  });
});
