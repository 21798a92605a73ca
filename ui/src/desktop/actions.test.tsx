import { screen } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { commands } from '../api/commands';
import { keys, queryClient } from '../api/queryClient';
import { navStore } from '../lib/nav';
import { applyTheme } from '../lib/theme';
import { helpDialogStore, runMenuAction, screenForKey, toggleTheme } from './actions';
import { formatBytes, HelpDialogs, SHORTCUTS } from './HelpDialogs';
import { renderWithProviders } from '../test/render';

vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn(async () => () => {}) }));
vi.mock('../api/commands', () => ({
  commands: { getSettings: vi.fn(), saveSettings: vi.fn(), pickFiles: vi.fn(), appInfo: vi.fn(), overview: vi.fn() },
}));
const api = vi.mocked(commands);

const ask = {
  mode: 'builtin',
  api: 'ollama',
  endpoint: 'http://127.0.0.1:11434',
  model: '',
  timeout_seconds: 20,
  total_timeout_seconds: 60,
} as const;
const settings = { cooldown_seconds: 300, healthy_min: 70, at_risk_min: 40, category_weights: {}, theme: 'system', ask };

beforeEach(() => {
  vi.resetAllMocks();
  queryClient.clear();
  navStore.set('health');
  helpDialogStore.set(null);
});

describe('menu actions', () => {
  it('switch screens, open the help dialogs, and refuse ids they do not know', () => {
    expect(runMenuAction('view:activity')).toBe(true);
    expect(navStore.get()).toBe('activity');
    expect(runMenuAction('view:nowhere')).toBe(false);
    expect(navStore.get()).toBe('activity');
    expect(runMenuAction('about')).toBe(true);
    expect(helpDialogStore.get()).toBe('about');
    expect(runMenuAction('format-disk')).toBe(false);
  });

  it('open the file dialog once however often Open… is chosen while it shows', async () => {
    let resolve: (paths: string[]) => void = () => undefined;
    api.pickFiles.mockImplementation(() => new Promise((r) => (resolve = r)));
    runMenuAction('open');
    runMenuAction('open');
    expect(api.pickFiles).toHaveBeenCalledTimes(1);
    resolve([]);
    await Promise.resolve();
  });

  it('map Ctrl+1…5 to the five screens and nothing else', () => {
    expect(['1', '2', '3', '4', '5'].map(screenForKey)).toEqual(['health', 'imports', 'playbooks', 'activity', 'settings']);
    for (const k of ['0', '6', '12', 'a', '1.5']) expect(screenForKey(k)).toBeNull();
  });

  it('toggle the theme from what shows now and save it like Settings does', async () => {
    applyTheme('light');
    api.getSettings.mockResolvedValue({ ...settings, theme: 'light' });
    api.saveSettings.mockImplementation(async (s) => s);
    await toggleTheme();
    expect(api.saveSettings).toHaveBeenCalledWith({ ...settings, theme: 'dark' });
    expect(queryClient.getQueryData(keys.settings())).toMatchObject({ theme: 'dark' });
  });
});

describe('help dialogs', () => {
  it('list the keyboard shortcuts', () => {
    helpDialogStore.set('shortcuts');
    renderWithProviders(<HelpDialogs />);
    const dialog = screen.getByTestId('shortcuts-dialog');
    for (const [, what] of SHORTCUTS) expect(dialog).toHaveTextContent(what);
  });

  it('show the version, data folder and database size from the core', async () => {
    api.appInfo.mockResolvedValue({ version: '0.1.0', data_dir: '/home/csm/.local/share/tideline', database_bytes: 3 * 1024 * 1024 });
    api.overview.mockRejectedValue({ code: 'database', message: 'x' });
    helpDialogStore.set('about');
    renderWithProviders(<HelpDialogs />);
    expect(await screen.findByText('0.1.0')).toBeInTheDocument();
    expect(screen.getByTestId('about-data-folder')).toHaveTextContent('/home/csm/.local/share/tideline');
    expect(screen.getByTestId('about-database-size')).toHaveTextContent('3 MiB');
  });

  it('print sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5 GiB');
  });
});
