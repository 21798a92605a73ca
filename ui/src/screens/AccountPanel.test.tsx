import * as RadixTooltip from '@radix-ui/react-tooltip';
import { QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AskAnswer } from '../api/bindings/AskAnswer';
import type { KpiState } from '../api/bindings/KpiState';
import { commands, type AccountId } from '../api/commands';
import { clearAskHistory } from '../components/askHistory';
import { citedAnchor, readPath } from '../panel/cited';
import { defaultThresholds, snapshot, snapshotOpen } from '../test/fixtures';
import { renderWithProviders } from '../test/render';
import { AccountPanel } from './AccountPanel';

vi.mock('../api/commands', () => ({
  commands: {
    openAccount: vi.fn(),
    takeSnapshot: vi.fn(),
    getSnapshot: vi.fn(),
    listSnapshots: vi.fn(),
    healthHistory: vi.fn(),
    listExecutions: vi.fn(),
    listPlaybooks: vi.fn(),
    suggestPlaybook: vi.fn(),
    askAccount: vi.fn(),
  },
}));
const api = vi.mocked(commands);
const XSS = '<img src=x onerror=alert(1)>';

const kpi = (name: string, value: number): KpiState => ({
  name,
  category: 'Engagement',
  value,
  unit: null,
  target: 100,
  direction: 'higher',
  period: '2026-10-31',
  status: 'off_target',
});

const latest = snapshot(7, 1, 'TechCorp');
const older = snapshot(5, 1, XSS);
older.content.kpis = [kpi('NPS', 12), kpi('Active Users', 80)];
older.content.profile = { owner: 'Dana', renewal_date: '2027-01-10' };

const answer: AskAnswer = {
  answer: 'Active Users was 80.',
  intent: 'kpi_value',
  accounts: [{ id: 1, name: 'TechCorp' }],
  period: null,
  claims: [
    { text: '80', snapshot_id: 5, path: '$.kpis[1].value', value: 80 },
    { text: 'TechCorp', snapshot_id: 5, path: '$.account.name', value: 'TechCorp' },
  ],
  snapshot_id: 5,
  snapshot_created: false,
  snapshots_created: [],
  sources: ['kpis'],
  changes_since: 0,
  choices: [],
  note: null,
};

let scrolled: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  vi.resetAllMocks();
  clearAskHistory();
  vi.restoreAllMocks();
  scrolled = vi.spyOn(HTMLElement.prototype, 'scrollIntoView');
  api.openAccount.mockResolvedValue(snapshotOpen(latest));
  api.getSnapshot.mockResolvedValue(older);
  api.listSnapshots.mockResolvedValue([]);
  api.healthHistory.mockResolvedValue([]);
  api.listExecutions.mockResolvedValue([]);
  api.listPlaybooks.mockResolvedValue([]);
  api.suggestPlaybook.mockResolvedValue(null);
  api.askAccount.mockResolvedValue(answer);
});

async function askAndCite(n: number) {
  renderWithProviders(
    <AccountPanel target={{ id: 1 as unknown as AccountId, name: 'TechCorp', opening: 1 }} thresholds={defaultThresholds} onClose={() => {}} />,
  );
  await userEvent.type(await screen.findByTestId('ask-input'), 'What is Active Users?');
  await userEvent.click(screen.getByTestId('ask-submit'));
  const chips = await screen.findAllByTestId('ask-claim');
  await userEvent.click(chips[n]!);
}

describe('a citation opens its snapshot with the cited field marked in place', () => {
  it('maps cited paths to the element that displays them', () => {
    expect(citedAnchor('$.kpis[3].target')).toBe('$.kpis[3]');
    expect(citedAnchor('$.health.band')).toBe('$.health.score');
    expect(citedAnchor('$.health.categories[1].drivers[0].value')).toBe('$.health.categories[1].drivers[0]');
    expect(citedAnchor('$.health.categories[2].score')).toBe('$.health.categories[2]');
    expect(citedAnchor('$.profile.renewal_date')).toBe('$.profile.renewal_date');
    expect(citedAnchor('$.changes.lines[0]')).toBe('$.changes.lines[0]');
    expect(citedAnchor('$.account.name')).toBeNull();
    expect(citedAnchor('$.playbooks[0].playbook_name')).toBeNull();
    expect(readPath(older.content, '$.kpis[1].name')).toBe('Active Users');
    expect(readPath(older.content, '$.kpis[9].name')).toBeUndefined();
    expect(citedAnchor('$.profile.custom."Executive Sponsor"')).toBe('$.profile.custom."Executive Sponsor"');
    expect(readPath({ profile: { custom: { 'Executive Sponsor': 'CTO' } } }, '$.profile.custom."Executive Sponsor"')).toBe('CTO');
  });

  it('highlights the KPI row of the cited snapshot and scrolls it into view', async () => {
    await askAndCite(0);
    expect(api.getSnapshot).toHaveBeenCalledWith(5);
    await waitFor(() => expect(document.querySelectorAll('[data-cited="true"]')).toHaveLength(1));
    const marked = document.querySelector('[data-cited="true"]')!;
    expect(marked).toHaveAttribute('data-path', '$.kpis[1]');
    expect(marked).toHaveAttribute('data-kpi', 'Active Users');
    expect(scrolled).toHaveBeenCalled();
    expect(scrolled.mock.contexts.at(-1)).toBe(marked);
    expect(screen.getByTestId('ask-cited')).toHaveTextContent('Cited from snapshot #5: $.kpis[1].value');
    // Leaving the cited snapshot drops the mark.
    await userEvent.click(screen.getByText('Back to latest'));
    await waitFor(() => expect(document.querySelector('[data-cited="true"]')).toBeNull());
    expect(screen.queryByTestId('ask-cited')).toBeNull();
  });

  it('shows a field the sections do not display in a "Cited field" row, read from the document as text', async () => {
    await askAndCite(1);
    const row = await waitFor(() => {
      const el = document.querySelector('[data-cited="true"]');
      expect(el).not.toBeNull();
      return el as HTMLElement;
    });
    expect(row).toHaveAttribute('data-path', '$.account.name');
    expect(within(row).getByText(XSS).tagName).toBe('MARK');
    expect(document.querySelector('img')).toBeNull();
    expect(scrolled.mock.contexts.at(-1)).toBe(row);
  });
});

describe('moving to the next account keeps the panel and starts its choices over', () => {
  const at = (id: number, name: string, opening: number) => (
    <AccountPanel target={{ id: id as unknown as AccountId, name, opening }} thresholds={defaultThresholds} onClose={() => {}} />
  );

  it('keeps the same elements, shows the previous account (busy) until the next is read, and leaves nothing of it', async () => {
    const globex = snapshot(8, 2, 'Globex');
    let release: (v: ReturnType<typeof snapshotOpen>) => void = () => {};
    const { rerender, client } = renderWithProviders(at(1, 'TechCorp', 1));
    expect(await screen.findByTestId('snapshot-id')).toHaveTextContent('7');
    const panel = screen.getByTestId('account-panel');
    const title = screen.getByTestId('panel-account-name');

    // A cited answer for TechCorp, and a question typed but not sent.
    await askAndCiteHere();
    await waitFor(() => expect(screen.getByTestId('ask-cited')).toBeInTheDocument());
    await userEvent.type(screen.getByTestId('ask-input'), 'draft for TechCorp');

    api.openAccount.mockImplementation(() => new Promise((resolve) => (release = resolve)));
    rerender(
      <QueryClientProvider client={client}>
        <RadixTooltip.Provider>{at(2, 'Globex', 2)}</RadixTooltip.Provider>
      </QueryClientProvider>,
    );
    // Still TechCorp, marked busy, in the very same elements; what was chosen for TechCorp is gone.
    expect(screen.getByTestId('account-panel')).toBe(panel);
    expect(panel).toHaveAttribute('aria-busy', 'true');
    expect(title).toHaveTextContent('TechCorp');
    expect(screen.queryByTestId('ask-cited')).toBeNull();
    expect(screen.getByTestId('ask-input')).toHaveValue('');
    expect(screen.getByTestId('ask-input')).toHaveAccessibleName('Ask about Globex');

    release(snapshotOpen(globex));
    await waitFor(() => expect(screen.getByTestId('panel-account-name')).toHaveTextContent('Globex'));
    expect(screen.getByTestId('account-panel')).toBe(panel);
    expect(panel).not.toHaveAttribute('aria-busy');
    expect(screen.getByTestId('snapshot-id')).toHaveTextContent('8');
    expect(screen.queryByTestId('ask-history')).toBeNull();
  });

  it('files an answer that arrives after the panel moved on under the account it was asked about', async () => {
    let answerNow: (a: AskAnswer) => void = () => {};
    api.askAccount.mockImplementation(() => new Promise((resolve) => (answerNow = resolve)));
    const { rerender, client } = renderWithProviders(at(1, 'TechCorp', 1));
    await userEvent.type(await screen.findByTestId('ask-input'), 'What is Active Users?');
    await userEvent.click(screen.getByTestId('ask-submit'));
    await waitFor(() => expect(api.askAccount).toHaveBeenCalledWith(1, 'What is Active Users?', expect.any(Number)));
    const again = (id: number, name: string, opening: number) =>
      rerender(
        <QueryClientProvider client={client}>
          <RadixTooltip.Provider>{at(id, name, opening)}</RadixTooltip.Provider>
        </QueryClientProvider>,
      );

    api.openAccount.mockResolvedValue(snapshotOpen(snapshot(8, 2, 'Globex')));
    again(2, 'Globex', 2);
    await waitFor(() => expect(screen.getByTestId('panel-account-name')).toHaveTextContent('Globex'));
    expect(screen.getByTestId('ask-submit')).toHaveTextContent('Ask');
    answerNow(answer);
    // Globex shows no answer; back on TechCorp, the answer is there.
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.queryByTestId('ask-history')).toBeNull();
    api.openAccount.mockResolvedValue(snapshotOpen(latest));
    again(1, 'TechCorp', 3);
    expect(await screen.findByTestId('ask-history')).toHaveTextContent('Active Users was 80.');
  });
});

describe('nothing on screen from the previous account can act on the next one', () => {
  const at = (id: number, name: string, opening: number) => (
    <QueryClientProvider client={clientNow!}>
      <RadixTooltip.Provider>
        <AccountPanel target={{ id: id as unknown as AccountId, name, opening }} thresholds={defaultThresholds} onClose={() => {}} />
      </RadixTooltip.Provider>
    </QueryClientProvider>
  );
  let clientNow: ReturnType<typeof renderWithProviders>['client'] | null = null;

  it('a snapshot taken on one account stays with it when the panel has moved on', async () => {
    let taken: (s: ReturnType<typeof snapshot>) => void = () => {};
    api.takeSnapshot.mockImplementation(() => new Promise((resolve) => (taken = resolve)));
    const { rerender, client } = renderWithProviders(<div />);
    clientNow = client;
    rerender(at(1, 'TechCorp', 1));
    expect(await screen.findByTestId('snapshot-id')).toHaveTextContent('7');
    fireEvent.keyDown(window, { key: 's', ctrlKey: true });
    await waitFor(() => expect(api.takeSnapshot).toHaveBeenCalledWith(1));

    api.openAccount.mockResolvedValue(snapshotOpen(snapshot(8, 2, 'Globex')));
    rerender(at(2, 'Globex', 2));
    await waitFor(() => expect(screen.getByTestId('snapshot-id')).toHaveTextContent('8'));
    expect(screen.getByTestId('take-snapshot')).toHaveTextContent('Take snapshot now');
    taken(snapshot(9, 1, 'TechCorp'));
    await waitFor(() => expect(client.getQueryData(['snapshot-open', 1, 1])).toMatchObject({ snapshot: { id: 9 } }));
    expect(screen.getByTestId('panel-account-name')).toHaveTextContent('Globex');
    expect(screen.getByTestId('snapshot-id')).toHaveTextContent('8');
  });

  it('while the next account loads, Ctrl+S waits and the previous lists are inert', async () => {
    api.listSnapshots.mockResolvedValue([
      { id: 7, snapshot_type: 'manual', trigger_event: 'open_account', created_at: '2026-12-01T10:00:00Z', health_score: 70, changes: [] },
    ] as unknown as Awaited<ReturnType<typeof commands.listSnapshots>>);
    const { rerender, client } = renderWithProviders(<div />);
    clientNow = client;
    rerender(at(1, 'TechCorp', 1));
    await screen.findByTestId('timeline-item');

    let opened: (v: ReturnType<typeof snapshotOpen>) => void = () => {};
    api.openAccount.mockImplementation(() => new Promise((resolve) => (opened = resolve)));
    let listed: (v: Awaited<ReturnType<typeof commands.listSnapshots>>) => void = () => {};
    api.listSnapshots.mockImplementation(() => new Promise((resolve) => (listed = resolve)));
    rerender(at(2, 'Globex', 2));
    const body = document.querySelector('.panel__body') as HTMLElement;
    expect(body.inert).toBe(true);
    fireEvent.keyDown(window, { key: 's', ctrlKey: true });
    expect(api.takeSnapshot).not.toHaveBeenCalled();

    // Globex is open, its snapshot list not yet read: TechCorp's list stays, busy and inert.
    opened(snapshotOpen(snapshot(8, 2, 'Globex')));
    await waitFor(() => expect(screen.getByTestId('panel-account-name')).toHaveTextContent('Globex'));
    expect(body.inert).toBe(false);
    const list = screen.getByTestId('snapshot-timeline').parentElement as HTMLElement;
    expect(list).toHaveAttribute('aria-busy', 'true');
    expect(list.inert).toBe(true);
    listed([]);
    await waitFor(() => expect(screen.queryByTestId('snapshot-timeline')).toBeNull());
  });
});

async function askAndCiteHere() {
  await userEvent.type(screen.getByTestId('ask-input'), 'What is Active Users?');
  await userEvent.click(screen.getByTestId('ask-submit'));
  const chips = await screen.findAllByTestId('ask-claim');
  await userEvent.click(chips[0]!);
}
