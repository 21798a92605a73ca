import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Settings as SettingsType } from '../api/bindings/Settings';
import { commands } from '../api/commands';
import { renderWithProviders } from '../test/render';
import { Settings } from './Settings';

vi.mock('../api/commands', () => ({
  commands: { getSettings: vi.fn(), saveSettings: vi.fn() },
}));
const api = vi.mocked(commands);

const saved: SettingsType = {
  cooldown_seconds: 300,
  healthy_min: 70,
  at_risk_min: 40,
  category_weights: { 'Product Usage': 0.3 },
  theme: 'system',
  ask: {
    mode: 'builtin',
    api: 'ollama',
    endpoint: 'http://127.0.0.1:11434',
    model: '',
    timeout_seconds: 20,
    total_timeout_seconds: 60,
  },
};

beforeEach(() => {
  vi.resetAllMocks();
  api.getSettings.mockResolvedValue(saved);
  api.saveSettings.mockImplementation(async (s) => s);
});

describe('Settings → Ask', () => {
  it('uses the built-in answers unless a local model is chosen', async () => {
    renderWithProviders(<Settings dataDir="/data" />);
    expect(await screen.findByRole('radio', { name: 'Built-in answers' })).toBeChecked();
    expect(screen.getByRole('radio', { name: 'Local model' })).not.toBeChecked();
    expect(screen.queryByTestId('settings-ask-endpoint')).not.toBeInTheDocument();
  });

  it('refuses an address off this machine and says why, without saving', async () => {
    const user = userEvent.setup();
    renderWithProviders(<Settings dataDir="/data" />);
    await user.click(await screen.findByRole('radio', { name: 'Local model' }));
    expect(screen.getByText(/nothing leaves the machine/)).toBeInTheDocument();
    const address = screen.getByTestId('settings-ask-endpoint');
    await user.clear(address);
    await user.type(address, 'http://192.168.1.20:11434');
    await user.type(screen.getByTestId('settings-ask-model'), 'llama3.2');
    await user.click(screen.getByTestId('settings-save'));
    expect(await screen.findByText('Only this machine: 127.0.0.1, ::1 or localhost.')).toBeInTheDocument();
    expect(address).toHaveAttribute('aria-invalid', 'true');
    expect(api.saveSettings).not.toHaveBeenCalled();
  });

  it('saves an OpenAI-compatible server on this machine with its model and waits', async () => {
    const user = userEvent.setup();
    renderWithProviders(<Settings dataDir="/data" />);
    await user.click(await screen.findByRole('radio', { name: 'Local model' }));
    await user.selectOptions(screen.getByTestId('settings-ask-api'), 'openai_compatible');
    // The usual address follows the kind of server.
    expect(screen.getByTestId('settings-ask-endpoint')).toHaveValue('http://127.0.0.1:8080/v1');
    await user.type(screen.getByTestId('settings-ask-model'), 'qwen2.5-3b-instruct');
    const wait = screen.getByTestId('settings-ask-timeout');
    await user.clear(wait);
    await user.type(wait, '10');
    await user.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(api.saveSettings).toHaveBeenCalledTimes(1));
    expect(api.saveSettings.mock.calls[0]?.[0].ask).toEqual({
      mode: 'local_model',
      api: 'openai_compatible',
      endpoint: 'http://127.0.0.1:8080/v1',
      model: 'qwen2.5-3b-instruct',
      timeout_seconds: 10,
      total_timeout_seconds: 60,
    });
    expect(await screen.findByTestId('settings-saved')).toBeInTheDocument();
  });
});
