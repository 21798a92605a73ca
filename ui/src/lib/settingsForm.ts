// The Settings form's draft (strings, as typed) and its checks, mirroring what the core will accept.
import type { AskMode } from '../api/bindings/AskMode';
import type { LlmApi } from '../api/bindings/LlmApi';
import type { Settings } from '../api/bindings/Settings';

export interface SettingsDraft {
  cooldown: string;
  healthyMin: string;
  atRiskMin: string;
  weights: Record<string, string>;
  askMode: AskMode;
  askApi: LlmApi;
  askEndpoint: string;
  askModel: string;
  askTimeout: string;
  askTotalTimeout: string;
}

export type DraftErrors = Partial<
  Record<
    'cooldown' | 'healthyMin' | 'atRiskMin' | 'weights' | 'askEndpoint' | 'askModel' | 'askTimeout' | 'askTotalTimeout',
    string
  >
>;

export const MAX_COOLDOWN_SECONDS = 7 * 24 * 3600;
export const MAX_ASK_TIMEOUT_SECONDS = 600;

/** Where each kind of server listens unless told otherwise, to fill the address when the kind changes. */
export const DEFAULT_ENDPOINTS: Record<LlmApi, string> = {
  ollama: 'http://127.0.0.1:11434',
  openai_compatible: 'http://127.0.0.1:8080/v1',
};

/**
 * Why an address is refused, or null when it is on this machine: http only, and 127.0.0.0/8, ::1 or localhost,
 * as the core checks it (the core decides; this only answers before the round trip).
 */
export function loopbackProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return 'An address such as http://127.0.0.1:11434.';
  }
  if (url.protocol !== 'http:') return 'Use http:// — the model runs on this machine, so no TLS is involved.';
  const host = url.hostname.toLowerCase();
  const v4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  // URL writes ::ffff:127.0.0.1 as [::ffff:7f00:1].
  const v6 = host === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host);
  if (host !== 'localhost' && !v4 && !v6) {
    return 'Only this machine: 127.0.0.1, ::1 or localhost.';
  }
  return null;
}

export function draftFrom(s: Settings): SettingsDraft {
  return {
    cooldown: String(s.cooldown_seconds),
    healthyMin: String(s.healthy_min),
    atRiskMin: String(s.at_risk_min),
    weights: Object.fromEntries(Object.entries(s.category_weights).map(([k, v]) => [k, String(v)])),
    askMode: s.ask.mode,
    askApi: s.ask.api,
    askEndpoint: s.ask.endpoint,
    askModel: s.ask.model,
    askTimeout: String(s.ask.timeout_seconds),
    askTotalTimeout: String(s.ask.total_timeout_seconds),
  };
}

const num = (s: string) => (s.trim() === '' ? NaN : Number(s));

/** The settings to save, or what is wrong with the draft. */
export function parseDraft(draft: SettingsDraft, base: Settings): { settings: Settings } | { errors: DraftErrors } {
  const errors: DraftErrors = {};
  const cooldown = num(draft.cooldown);
  if (!Number.isInteger(cooldown) || cooldown < 0 || cooldown > MAX_COOLDOWN_SECONDS) {
    errors.cooldown = `Whole seconds from 0 to ${MAX_COOLDOWN_SECONDS.toLocaleString('en-US')} (one week).`;
  }
  const healthy = num(draft.healthyMin);
  const atRisk = num(draft.atRiskMin);
  if (!(healthy >= 0 && healthy <= 100)) errors.healthyMin = 'A score from 0 to 100.';
  if (!(atRisk >= 0 && atRisk <= 100)) errors.atRiskMin = 'A score from 0 to 100.';
  else if (!errors.healthyMin && atRisk >= healthy) errors.atRiskMin = 'Must be below the Healthy threshold.';
  const weights: Record<string, number> = {};
  for (const [k, v] of Object.entries(draft.weights)) {
    const w = num(v);
    if (!(w >= 0) || !Number.isFinite(w)) errors.weights = `“${k}” needs a weight of 0 or more.`;
    weights[k] = w;
  }
  if (!errors.weights && Object.values(weights).every((w) => w === 0)) {
    errors.weights = 'At least one category needs a weight above 0.';
  }
  const ask = parseAsk(draft, base, errors);
  if (Object.keys(errors).length > 0) return { errors };
  return {
    settings: {
      ...base,
      cooldown_seconds: cooldown,
      healthy_min: healthy,
      at_risk_min: atRisk,
      category_weights: weights,
      ask,
    },
  };
}

/** Each weight's share of the total, as a fraction (weights need not add up to 1). */
export function weightShares(weights: Record<string, string>): Record<string, number> {
  const values = Object.entries(weights).map(([k, v]) => [k, Math.max(0, Number(v) || 0)] as const);
  const total = values.reduce((n, [, v]) => n + v, 0);
  return Object.fromEntries(values.map(([k, v]) => [k, total > 0 ? v / total : 0]));
}

/** The Ask settings to save. With the built-in answers chosen, the saved local-model fields stay as they were. */
function parseAsk(draft: SettingsDraft, base: Settings, errors: DraftErrors): Settings['ask'] {
  if (draft.askMode === 'builtin') return { ...base.ask, mode: 'builtin' };
  const endpoint = draft.askEndpoint.trim();
  const model = draft.askModel.trim();
  const problem = loopbackProblem(endpoint);
  if (problem) errors.askEndpoint = problem;
  if (model === '') errors.askModel = 'The name the server knows the model by, e.g. llama3.2.';
  const timeout = num(draft.askTimeout);
  const total = num(draft.askTotalTimeout);
  const range = `Whole seconds from 1 to ${MAX_ASK_TIMEOUT_SECONDS}.`;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_ASK_TIMEOUT_SECONDS) errors.askTimeout = range;
  if (!Number.isInteger(total) || total < 1 || total > MAX_ASK_TIMEOUT_SECONDS) errors.askTotalTimeout = range;
  else if (!errors.askTimeout && total < timeout) errors.askTotalTimeout = 'At least the wait for the first words.';
  return {
    mode: 'local_model',
    api: draft.askApi,
    endpoint,
    model,
    timeout_seconds: timeout,
    total_timeout_seconds: total,
  };
}
