import { act, render, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { commands } from './api/commands';
import { queryClient } from './api/queryClient';
import userEvent from '@testing-library/user-event';
import { handleDroppedPaths, installDropHook, resetFlow } from './imports/dropFlow';
import { goTo } from './lib/nav';
import { overview, probe, importReport } from './test/fixtures';

type DropHandler = (e: { payload: { type: string; paths?: string[] } }) => void;
const drag = vi.hoisted(() => ({ handler: null as null | ((e: { payload: { type: string; paths?: string[] } }) => void) }));

vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn(async () => () => {}) }));
vi.mock('@tauri-apps/api/webview', () => ({
  getCurrentWebview: () => ({
    onDragDropEvent: async (cb: DropHandler) => {
      drag.handler = cb;
      return () => {};
    },
  }),
}));
vi.mock('./api/commands', () => ({
  commands: {
    overview: vi.fn(),
    getSettings: vi.fn(),
    defaultSettings: vi.fn(),
    listExecutions: vi.fn(),
    listAccounts: vi.fn(),
    probeFile: vi.fn(),
    previewImport: vi.fn(),
    runImport: vi.fn(),
    listImports: vi.fn(),
    loadSample: vi.fn(),
    takeOpenedFiles: vi.fn(),
    settingsNotice: vi.fn(),
    appInfo: vi.fn(),
  },
}));
const api = vi.mocked(commands);

beforeEach(() => {
  queryClient.clear();
  resetFlow();
  goTo('health');
  vi.resetAllMocks();
  const ask = {
    mode: 'builtin',
    api: 'ollama',
    endpoint: 'http://127.0.0.1:11434',
    model: '',
    timeout_seconds: 20,
    total_timeout_seconds: 60,
  } as const;
  api.getSettings.mockResolvedValue({ cooldown_seconds: 300, healthy_min: 70, at_risk_min: 40, category_weights: {}, theme: 'dark', ask });
  api.defaultSettings.mockResolvedValue({ cooldown_seconds: 300, healthy_min: 70, at_risk_min: 40, category_weights: {}, theme: 'system', ask });
  api.listExecutions.mockResolvedValue([]);
  api.listAccounts.mockResolvedValue({ rows: [], total: 0 });
  api.takeOpenedFiles.mockResolvedValue([]);
  api.settingsNotice.mockResolvedValue(null);
});

describe('the window', () => {
  it('marks the body ready once the overview has rendered, and invites a first import when empty', async () => {
    api.overview.mockResolvedValue(overview({ accounts: 0 }));
    render(<App />);
    expect(document.body.dataset.ready).toBeUndefined();
    expect(await screen.findByTestId('first-run')).toBeInTheDocument();
    await waitFor(() => expect(document.body.dataset.ready).toBe('true'));
    expect(screen.getByTestId('load-sample')).toBeEnabled();
    expect(screen.getByTestId('status-bar')).toHaveTextContent('0 accounts');
  });

  it('shows the Health tab with the core default thresholds when the saved settings cannot be read', async () => {
    api.overview.mockResolvedValue(overview());
    api.getSettings.mockRejectedValue({ code: 'settings_file', message: 'settings.json: expected value at line 1' });
    render(<App />);
    // The summary cards show the average's band as the core decided it; the page does not wait on settings.
    expect(await screen.findByTestId('summary-average')).toHaveTextContent('61.3');
    expect(screen.getByTestId('summary-average').parentElement).toHaveTextContent('At risk');
    expect(api.defaultSettings).toHaveBeenCalled();
    await waitFor(() => expect(document.body.dataset.ready).toBe('true'));
  });

  it('applies the saved theme', async () => {
    api.overview.mockResolvedValue(overview({ accounts: 0 }));
    render(<App />);
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
  });

  it('shows why the data could not be read, with its code, and is not "ready"', async () => {
    api.overview.mockRejectedValue({ code: 'migration', message: 'database migration: version mismatch' });
    render(<App />);
    expect(await screen.findByTestId('error-state')).toHaveAttribute('data-code', 'migration');
    expect(document.body.dataset.ready).toBeUndefined();
  });

  it('shows the drop overlay while files are dragged over, and a drop starts the import preview', async () => {
    api.overview.mockResolvedValue(overview({ accounts: 0 }));
    api.probeFile.mockResolvedValue(probe('/data/kpis.xlsx'));
    api.previewImport.mockResolvedValue(importReport());
    render(<App />);
    await screen.findByTestId('first-run');
    await waitFor(() => expect(drag.handler).not.toBeNull());

    act(() => drag.handler!({ payload: { type: 'enter', paths: ['/data/kpis.xlsx'] } }));
    expect(screen.getByText('Drop KPI or profile workbooks')).toBeInTheDocument();
    act(() => drag.handler!({ payload: { type: 'drop', paths: ['/data/kpis.xlsx'] } }));
    expect(screen.queryByText('Drop KPI or profile workbooks')).toBeNull();
    expect(await screen.findByTestId('import-preview')).toBeInTheDocument();
    expect(api.probeFile).toHaveBeenCalledWith('/data/kpis.xlsx');
  });

  it('previews a workbook the app was opened with (double-click, "Open with") once the window is ready', async () => {
    api.overview.mockResolvedValue(overview({ accounts: 0 }));
    api.takeOpenedFiles.mockResolvedValueOnce(['/home/csm/q3.xlsx']).mockResolvedValue([]);
    api.probeFile.mockResolvedValue(probe('/home/csm/q3.xlsx'));
    api.previewImport.mockResolvedValue(importReport());
    render(<App />);
    expect(await screen.findByTestId('import-preview')).toBeInTheDocument();
    expect(api.probeFile).toHaveBeenCalledWith('/home/csm/q3.xlsx');
    expect(api.takeOpenedFiles).toHaveBeenCalledTimes(1);
  });

  it('says once that a damaged settings file was set aside, and where it is', async () => {
    api.overview.mockResolvedValue(overview({ accounts: 0 }));
    api.settingsNotice.mockResolvedValue('/data/settings.json.damaged-20261205-101500.000');
    render(<App />);
    expect(await screen.findByText('Settings were reset to the defaults')).toBeInTheDocument();
    expect(screen.getByText(/settings\.json\.damaged-20261205-101500\.000/)).toBeInTheDocument();
    expect(api.settingsNotice).toHaveBeenCalledTimes(1);
  });

  it('switches screens with Ctrl+1…5, as the View menu shows', async () => {
    api.overview.mockResolvedValue(overview({ accounts: 0 }));
    api.listImports.mockResolvedValue([]);
    const user = userEvent.setup();
    render(<App />);
    await screen.findByTestId('first-run');
    await user.keyboard('{Control>}2{/Control}');
    expect(await screen.findByTestId('drop-zone')).toBeInTheDocument();
    await user.keyboard('{Control>}1{/Control}');
    expect(await screen.findByTestId('first-run')).toBeInTheDocument();
  });

  it('leaves the window usable while the import report is shown: a click elsewhere goes through', async () => {
    api.overview.mockResolvedValue(overview({ accounts: 0 }));
    api.probeFile.mockResolvedValue(probe('/data/kpis.xlsx'));
    api.previewImport.mockResolvedValue(importReport());
    api.runImport.mockResolvedValue(importReport({ dry_run: false }));
    api.listImports.mockResolvedValue([]);
    const user = userEvent.setup();
    render(<App />);
    await screen.findByTestId('first-run');
    await act(() => handleDroppedPaths(['/data/kpis.xlsx']));
    await user.click(await screen.findByTestId('import-confirm'));
    expect(await screen.findByTestId('report-imported')).toHaveTextContent('10');
    await user.click(screen.getByTestId('nav-imports'));
    expect(await screen.findByTestId('drop-zone')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId('import-report')).toBeNull());
  });

  it('exposes exactly the drop handler to end-to-end tests', async () => {
    const target = {} as Window;
    installDropHook(target);
    api.probeFile.mockResolvedValue(probe('/data/p.xlsx', { kind: 'profile' }));
    api.previewImport.mockResolvedValue(importReport({ kind: 'profile' }));
    await target.__tideline!.dropPaths(['/data/p.xlsx']);
    expect(api.previewImport).toHaveBeenCalledWith('/data/p.xlsx', 'profile', null);
  });
});
