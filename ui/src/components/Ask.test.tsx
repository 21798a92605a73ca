import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AskAnswer } from '../api/bindings/AskAnswer';
import { commands, type AccountId } from '../api/commands';
import { AskBox } from '../panel/AskBox';
import { snapshot } from '../test/fixtures';
import { renderWithProviders } from '../test/render';
import { clearAskHistory } from './askHistory';
import { askSuggestions } from './askSuggestions';
import { navStore, panelRequestStore } from '../lib/nav';
import { AskPortfolio, paletteAsk } from './AskPortfolio';
import { CommandPalette } from './CommandPalette';

// The core's streamed pieces of a local model's reply: the test plays the window's event source.
type Handler = (e: { payload: { stream: number; text: string } }) => void;
const listeners = vi.hoisted(() => new Set<Handler>());
vi.mock('@tauri-apps/api/event', () => ({
  listen: vi.fn(async (_event: string, handler: Handler) => {
    listeners.add(handler);
    return () => listeners.delete(handler);
  }),
}));
const emitDelta = (stream: number, text: string) => {
  for (const l of [...listeners]) l({ payload: { stream, text } });
};

vi.mock('../api/commands', () => ({
  commands: {
    askAccount: vi.fn(),
    askPortfolio: vi.fn(),
  },
}));
const api = vi.mocked(commands);
const XSS = '<img src=x onerror=alert(1)>';

function answer(patch: Partial<AskAnswer> = {}): AskAnswer {
  return {
    answer: 'TechCorp is At risk with a health score of 52.',
    intent: 'status',
    accounts: [{ id: 1, name: 'TechCorp' }],
    period: null,
    claims: [
      { text: 'TechCorp', snapshot_id: 7, path: '$.account.name', value: 'TechCorp' },
      { text: '52', snapshot_id: 7, path: '$.health.score', value: 52 },
    ],
    snapshot_id: 7,
    snapshot_created: false,
    snapshots_created: [],
    sources: ['health'],
    changes_since: 0,
    choices: [],
    note: null,
    ...patch,
  };
}

const id = (n: number) => n as unknown as AccountId;

describe('Ask in the account panel', () => {
  beforeEach(() => {
    clearAskHistory();
    vi.resetAllMocks();
  });

  it('shows the answer with its citations as chips naming snapshot and path, and keeps earlier answers above', async () => {
    api.askAccount.mockResolvedValueOnce(answer()).mockResolvedValueOnce(answer({ answer: `Second ${XSS}`, claims: [] }));
    renderWithProviders(<AskBox accountId={id(1)} accountName="TechCorp" />);
    await userEvent.type(screen.getByTestId('ask-input'), 'How is it doing?');
    await userEvent.click(screen.getByTestId('ask-submit'));
    await waitFor(() => expect(screen.getAllByTestId('ask-answer')).toHaveLength(1));
    const chips = screen.getAllByTestId('ask-claim');
    expect(chips.map((c) => c.textContent)).toEqual(['TechCorp', '52']);
    expect(chips[1]).toHaveAttribute('title', 'Snapshot #7 · $.health.score');
    await userEvent.type(screen.getByTestId('ask-input'), 'And now?');
    await userEvent.click(screen.getByTestId('ask-submit'));
    await waitFor(() => expect(screen.getAllByTestId('ask-answer')).toHaveLength(2));
    const [first, second] = screen.getAllByTestId('ask-answer');
    expect(first).toHaveTextContent('How is it doing?');
    // Text from the data is text, never HTML.
    expect(second).toHaveTextContent(`Second ${XSS}`);
    expect(document.querySelector('img')).toBeNull();
    expect(api.askAccount).toHaveBeenLastCalledWith(id(1), 'And now?', expect.any(Number));
  });

  it('opens the cited snapshot when a citation is clicked', async () => {
    api.askAccount.mockResolvedValue(answer());
    const onCite = vi.fn();
    renderWithProviders(<AskBox accountId={id(1)} accountName="TechCorp" onCite={onCite} />);
    await userEvent.type(screen.getByTestId('ask-input'), 'status');
    await userEvent.click(screen.getByTestId('ask-submit'));
    const chips = await screen.findAllByTestId('ask-claim');
    await userEvent.click(chips[1]);
    expect(onCite).toHaveBeenCalledWith({ text: '52', snapshot_id: 7, path: '$.health.score', value: 52 });
  });

  it('offers three questions that fit the account, and asks one on click', async () => {
    const s = snapshot(7, 1, 'TechCorp');
    s.content.health = {
      period: '2026-11',
      score: 50,
      band: 'at_risk',
      categories: [],
      trend: [
        { period: '2026-10', score: 60, band: 'healthy' },
        { period: '2026-11', score: 50, band: 'at_risk' },
      ],
    };
    s.content.profile = { renewal_date: '2027-01-10', custom: {} };
    const suggestions = askSuggestions(s);
    expect(suggestions).toHaveLength(3);
    expect(suggestions[0]).toBe('Why did health drop?');
    expect(suggestions).toContain('When does the contract renew?');
    api.askAccount.mockResolvedValue(answer({ intent: 'health_change' }));
    renderWithProviders(<AskBox accountId={id(1)} accountName="TechCorp" snapshot={s} />);
    await userEvent.click(within(screen.getByTestId('ask-suggestions')).getByText('Why did health drop?'));
    expect(api.askAccount).toHaveBeenCalledWith(id(1), 'Why did health drop?', expect.any(Number));
  });

  it('shows a local model reply as it streams, then the checked answer in its place', async () => {
    let finish: (a: AskAnswer) => void = () => {};
    api.askAccount.mockImplementation(() => new Promise<AskAnswer>((resolve) => (finish = resolve)));
    renderWithProviders(<AskBox accountId={id(1)} accountName="TechCorp" />);
    await userEvent.type(screen.getByTestId('ask-input'), 'What is the NPS?');
    await userEvent.click(screen.getByTestId('ask-submit'));
    await waitFor(() => expect(api.askAccount).toHaveBeenCalled());
    const stream = api.askAccount.mock.calls[0]![2] as number;
    act(() => {
      emitDelta(stream, "TechCorp's NPS");
      emitDelta(stream + 1000, 'another box');
      emitDelta(stream, ` is 20 ${XSS}`);
    });
    expect(await screen.findByTestId('ask-streaming')).toHaveTextContent(`TechCorp's NPS is 20 ${XSS}`);
    expect(screen.getByTestId('ask-streaming')).not.toHaveTextContent('another box');
    expect(document.querySelector('img')).toBeNull();
    // The reply failed the check: the built-in answer replaces what streamed.
    act(() => finish(answer({ note: 'Built-in answer shown: a sentence cites nothing' })));
    expect(await screen.findByTestId('ask-note')).toHaveTextContent('cites nothing');
    expect(screen.queryByTestId('ask-streaming')).toBeNull();
    expect(screen.getByTestId('ask-answer')).toHaveTextContent('TechCorp is At risk with a health score of 52.');
    expect(listeners.size).toBe(0);
  });

  it('shows why the built-in answer was used when the local model was not', async () => {
    api.askAccount.mockResolvedValue(answer({ note: 'Built-in answer shown: the local model did not answer within 20 s' }));
    renderWithProviders(<AskBox accountId={id(1)} accountName="TechCorp" />);
    await userEvent.type(screen.getByTestId('ask-input'), 'status');
    await userEvent.click(screen.getByTestId('ask-submit'));
    expect(await screen.findByTestId('ask-note')).toHaveTextContent('did not answer within 20 s');
  });
});

describe('Ask on the Health tab', () => {
  beforeEach(() => {
    clearAskHistory();
    vi.resetAllMocks();
  });

  it('lists the accounts an answer names as buttons that open their panel', async () => {
    api.askPortfolio.mockResolvedValue(
      answer({
        intent: 'at_risk',
        answer: `2 accounts are At risk: Globex (55); ${XSS} (58).`,
        accounts: [
          { id: 2, name: 'Globex' },
          { id: 3, name: XSS },
        ],
        snapshot_id: null,
      }),
    );
    const open = vi.fn();
    renderWithProviders(<AskPortfolio onOpenAccount={open} />);
    await userEvent.click(screen.getByText('Which accounts are at risk?'));
    const list = await screen.findByTestId('ask-accounts');
    const buttons = within(list).getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toEqual(['Globex', XSS]);
    await userEvent.click(buttons[1]);
    expect(open).toHaveBeenCalledWith(3, XSS);
    expect(api.askPortfolio).toHaveBeenCalledWith('Which accounts are at risk?', expect.any(Number));
    expect(document.querySelector('img')).toBeNull();
  });
});

describe('Ask in the command palette', () => {
  beforeEach(() => {
    clearAskHistory();
    vi.resetAllMocks();
    navStore.set('settings');
    panelRequestStore.set(null);
  });

  const portfolioAnswer = () =>
    answer({
      intent: 'at_risk',
      answer: 'Globex is At risk (55).',
      accounts: [{ id: 2, name: 'Globex' }],
      claims: [{ text: '55', snapshot_id: 9, path: '$.health.score', value: 55 }],
      snapshot_id: null,
    });

  function renderPalette(onOpenChange = vi.fn(), run = vi.fn()) {
    renderWithProviders(
      <>
        <CommandPalette
          open
          onOpenChange={onOpenChange}
          actions={[{ id: 'go-health', label: 'Go to Health', run }]}
          renderAsk={paletteAsk}
        />
        <AskPortfolio onOpenAccount={() => {}} />
      </>,
    );
    return { onOpenChange, run };
  }

  it('offers "Ask: <typed text>", answers in place with the portfolio Ask, and a named account opens its panel', async () => {
    api.askPortfolio.mockResolvedValue(portfolioAnswer());
    const { onOpenChange } = renderPalette();
    await userEvent.type(screen.getByLabelText('Command'), 'which accounts are at risk');
    const option = screen.getByRole('option', { name: 'Ask: which accounts are at risk' });
    expect(option).toHaveAttribute('aria-selected', 'true');
    await userEvent.keyboard('{Enter}');
    const palette = await screen.findByTestId('palette-ask');
    await within(palette).findByText('Globex is At risk (55).');
    expect(api.askPortfolio).toHaveBeenCalledTimes(1);
    expect(api.askPortfolio).toHaveBeenCalledWith('which accounts are at risk', expect.any(Number));
    expect(within(palette).getByTestId('ask-claim')).toHaveAttribute('title', 'Snapshot #9 · $.health.score');
    expect(onOpenChange).not.toHaveBeenCalled();
    // The Health tab's portfolio Ask shows the same exchange: one history per place.
    const health = screen.getAllByTestId('ask-portfolio').find((el) => !palette.contains(el))!;
    expect(within(health).getByText('Globex is At risk (55).')).toBeInTheDocument();
    await userEvent.click(within(within(palette).getByTestId('ask-accounts')).getByRole('button', { name: 'Globex' }));
    expect(onOpenChange).toHaveBeenCalledWith(false);
    expect(navStore.get()).toBe('health');
    expect(panelRequestStore.get()).toEqual({ id: 2, name: 'Globex' });
  });

  it('keeps Enter on a matching command; Ask comes last', async () => {
    const { run } = renderPalette();
    await userEvent.type(screen.getByLabelText('Command'), 'health');
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['Go to Health', 'Ask: health']);
    await userEvent.keyboard('{Enter}');
    expect(run).toHaveBeenCalled();
    expect(api.askPortfolio).not.toHaveBeenCalled();
  });
});
