import { describe, expect, it } from 'vitest';
import type { Settings } from '../api/bindings/Settings';
import { draftFrom, loopbackProblem, parseDraft, weightShares } from './settingsForm';

const saved: Settings = {
  cooldown_seconds: 300,
  healthy_min: 70,
  at_risk_min: 40,
  category_weights: { 'Product Usage': 0.3, Support: 0.1 },
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

describe('settings form', () => {
  it('saves what was typed, as numbers', () => {
    const draft = { ...draftFrom(saved), cooldown: '120', healthyMin: '75.5' };
    expect(parseDraft(draft, saved)).toEqual({ settings: { ...saved, cooldown_seconds: 120, healthy_min: 75.5 } });
  });

  it('refuses a cooldown that is negative, fractional, empty or over a week', () => {
    for (const cooldown of ['-1', '1.5', '', '604801']) {
      const r = parseDraft({ ...draftFrom(saved), cooldown }, saved);
      expect('errors' in r && r.errors.cooldown).toBeTruthy();
    }
    expect(parseDraft({ ...draftFrom(saved), cooldown: '0' }, saved)).toHaveProperty('settings');
  });

  it('keeps At risk below Healthy', () => {
    const r = parseDraft({ ...draftFrom(saved), atRiskMin: '70' }, saved);
    expect('errors' in r && r.errors.atRiskMin).toBe('Must be below the Healthy threshold.');
  });

  it('needs at least one weight above zero, and none negative', () => {
    const zero = parseDraft({ ...draftFrom(saved), weights: { 'Product Usage': '0', Support: '0' } }, saved);
    expect('errors' in zero && zero.errors.weights).toBe('At least one category needs a weight above 0.');
    const negative = parseDraft({ ...draftFrom(saved), weights: { 'Product Usage': '-0.2', Support: '1' } }, saved);
    expect('errors' in negative && negative.errors.weights).toContain('Product Usage');
  });

  it('shows each weight as its share of the score', () => {
    expect(weightShares({ A: '3', B: '1' })).toEqual({ A: 0.75, B: 0.25 });
    expect(weightShares({ A: '0', B: '' })).toEqual({ A: 0, B: 0 });
  });

  it('accepts only addresses on this machine for a local model', () => {
    for (const ok of ['http://127.0.0.1:11434', 'http://127.4.5.6:8080/v1', 'http://localhost:1234', 'http://[::1]:8080']) {
      expect(loopbackProblem(ok)).toBeNull();
    }
    expect(loopbackProblem('http://192.168.1.20:11434')).toBe('Only this machine: 127.0.0.1, ::1 or localhost.');
    expect(loopbackProblem('http://ollama.example.com')).toBe('Only this machine: 127.0.0.1, ::1 or localhost.');
    expect(loopbackProblem('https://127.0.0.1:11434')).toContain('Use http://');
    expect(loopbackProblem('127.0.0.1:11434')).toContain('An address such as');
  });

  it('saves a local model with its address, name and both waits', () => {
    const draft = {
      ...draftFrom(saved),
      askMode: 'local_model' as const,
      askApi: 'openai_compatible' as const,
      askEndpoint: ' http://localhost:8080/v1 ',
      askModel: 'qwen2.5-3b-instruct',
      askTimeout: '10',
      askTotalTimeout: '45',
    };
    expect(parseDraft(draft, saved)).toEqual({
      settings: {
        ...saved,
        ask: {
          mode: 'local_model',
          api: 'openai_compatible',
          endpoint: 'http://localhost:8080/v1',
          model: 'qwen2.5-3b-instruct',
          timeout_seconds: 10,
          total_timeout_seconds: 45,
        },
      },
    });
  });

  it('refuses a remote address, a missing model name and waits out of range', () => {
    const r = parseDraft(
      {
        ...draftFrom(saved),
        askMode: 'local_model',
        askEndpoint: 'http://10.0.0.8:11434',
        askModel: ' ',
        askTimeout: '0',
        askTotalTimeout: '601',
      },
      saved,
    );
    expect('errors' in r && r.errors).toEqual({
      askEndpoint: 'Only this machine: 127.0.0.1, ::1 or localhost.',
      askModel: 'The name the server knows the model by, e.g. llama3.2.',
      askTimeout: 'Whole seconds from 1 to 600.',
      askTotalTimeout: 'Whole seconds from 1 to 600.',
    });
    const short = parseDraft(
      { ...draftFrom(saved), askMode: 'local_model', askModel: 'llama3.2', askTimeout: '30', askTotalTimeout: '20' },
      saved,
    );
    expect('errors' in short && short.errors.askTotalTimeout).toBe('At least the wait for the first words.');
  });

  it('with the built-in answers chosen, keeps the saved local-model fields', () => {
    const local = { ...saved, ask: { ...saved.ask, mode: 'local_model' as const, model: 'llama3.2' } };
    const draft = { ...draftFrom(local), askMode: 'builtin' as const, askEndpoint: 'http://10.0.0.8', askModel: '' };
    expect(parseDraft(draft, local)).toEqual({ settings: { ...local, ask: { ...local.ask, mode: 'builtin' } } });
  });
});
