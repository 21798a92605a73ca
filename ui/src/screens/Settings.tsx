// Settings: snapshot cooldown, health band thresholds, category weights, how Ask answers (built in or a local
// model on this machine), theme (applied at once), data folder.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Check, Folder, Save } from 'lucide-react';
import { useState } from 'react';
import type { Settings as SettingsType } from '../api/bindings/Settings';
import { commands } from '../api/commands';
import { toErrorPayload } from '../api/errors';
import { useSettings } from '../api/queries';
import { invalidateData, keys } from '../api/queryClient';
import { BandBadge } from '../components/BandBadge';
import { ErrorState, Skeleton } from '../components/States';
import { pushToast } from '../components/toastStore';
import { BackupsSection } from '../data/BackupsSection';
import { formatCountdown, formatShare } from '../lib/format';
import {
  DEFAULT_ENDPOINTS,
  draftFrom,
  parseDraft,
  weightShares,
  type DraftErrors,
  type SettingsDraft,
} from '../lib/settingsForm';
import { applyTheme, normaliseTheme } from '../lib/theme';

function NumberField({
  id,
  label,
  value,
  onChange,
  error,
  help,
  testId,
  step = 1,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  help?: string;
  testId?: string;
  step?: number;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="input input--number num"
        type="number"
        step={step}
        min={0}
        value={value}
        data-testid={testId}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-help`}
        onChange={(e) => onChange(e.target.value)}
      />
      <span id={`${id}-help`} className={error ? 'field__error' : 'field__help'}>
        {error ?? help}
      </span>
    </div>
  );
}

function TextField({
  id,
  label,
  value,
  onChange,
  error,
  help,
  testId,
  placeholder,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  help: string;
  testId: string;
  placeholder?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="input mono"
        type="text"
        spellCheck={false}
        autoComplete="off"
        placeholder={placeholder}
        value={value}
        data-testid={testId}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-help`}
        onChange={(e) => onChange(e.target.value)}
      />
      <span id={`${id}-help`} className={error ? 'field__error' : 'field__help'}>
        {error ?? help}
      </span>
    </div>
  );
}

/** Settings → Ask: the built-in answers, or a model served on this machine that phrases them from the evidence. */
function AskGroup({
  draft,
  errors,
  edit,
}: {
  draft: SettingsDraft;
  errors: DraftErrors;
  edit: (patch: Partial<SettingsDraft>) => void;
}) {
  const local = draft.askMode === 'local_model';
  return (
    <section className="card settings__group" aria-labelledby="set-ask">
      <h2 id="set-ask">Ask</h2>
      <div className="field" role="radiogroup" aria-labelledby="ask-mode-label" data-testid="settings-ask-mode">
        <span id="ask-mode-label" className="field__label">
          Answers come from
        </span>
        <label className="row">
          <input
            type="radio"
            name="ask-mode"
            value="builtin"
            checked={!local}
            onChange={() => edit({ askMode: 'builtin' })}
          />
          Built-in answers
        </label>
        <label className="row">
          <input
            type="radio"
            name="ask-mode"
            value="local_model"
            checked={local}
            onChange={() => edit({ askMode: 'local_model' })}
          />
          Local model
        </label>
        <span className="field__help">
          {local
            ? 'A language model running on this computer phrases the answer from the same evidence. A reply that cites nothing, or states a number or account the evidence does not, is set aside and the built-in answer shown with a note.'
            : 'Tideline writes each answer itself from your snapshots, with a citation for every fact.'}
        </span>
      </div>
      {local && (
        <>
          <div className="field">
            <label htmlFor="ask-api">Server</label>
            <select
              id="ask-api"
              className="select settings__theme"
              data-testid="settings-ask-api"
              value={draft.askApi}
              onChange={(e) => {
                const api = e.target.value === 'openai_compatible' ? 'openai_compatible' : 'ollama';
                // Follow the server's usual address unless the user typed one of their own.
                const usual = Object.values(DEFAULT_ENDPOINTS).includes(draft.askEndpoint.trim());
                edit({ askApi: api, ...(usual || draft.askEndpoint.trim() === '' ? { askEndpoint: DEFAULT_ENDPOINTS[api] } : {}) });
              }}
            >
              <option value="ollama">Ollama</option>
              <option value="openai_compatible">OpenAI-compatible (llama.cpp, LM Studio, vLLM)</option>
            </select>
          </div>
          <TextField
            id="ask-endpoint"
            label="Address"
            testId="settings-ask-endpoint"
            placeholder={DEFAULT_ENDPOINTS[draft.askApi]}
            value={draft.askEndpoint}
            onChange={(v) => edit({ askEndpoint: v })}
            error={errors.askEndpoint}
            help="Only addresses on this computer (127.0.0.1, ::1 or localhost) are accepted: nothing leaves the machine."
          />
          <TextField
            id="ask-model"
            label="Model name"
            testId="settings-ask-model"
            placeholder="llama3.2"
            value={draft.askModel}
            onChange={(v) => edit({ askModel: v })}
            error={errors.askModel}
            help="As the server lists it (for Ollama, `ollama list`)."
          />
          <div className="settings__row">
            <NumberField
              id="ask-timeout"
              label="Wait for the first words (seconds)"
              testId="settings-ask-timeout"
              value={draft.askTimeout}
              onChange={(v) => edit({ askTimeout: v })}
              error={errors.askTimeout}
              help="A server that has not started answering by then is skipped."
            />
            <NumberField
              id="ask-total-timeout"
              label="Wait for the whole answer (seconds)"
              testId="settings-ask-total-timeout"
              value={draft.askTotalTimeout}
              onChange={(v) => edit({ askTotalTimeout: v })}
              error={errors.askTotalTimeout}
              help="After this the built-in answer is shown instead."
            />
          </div>
        </>
      )}
    </section>
  );
}

function SettingsForm({ saved, dataDir }: { saved: SettingsType; dataDir: string | undefined }) {
  const client = useQueryClient();
  const [draft, setDraft] = useState<SettingsDraft>(() => draftFrom(saved));
  const [errors, setErrors] = useState<DraftErrors>({});
  const [justSaved, setJustSaved] = useState(false);
  const save = useMutation({
    mutationFn: (s: SettingsType) => commands.saveSettings(s),
    onSuccess: (s) => {
      client.setQueryData(keys.settings(), s);
      applyTheme(s.theme);
      void invalidateData(client);
    },
  });
  const theme = useMutation({
    mutationFn: (t: string) => commands.saveSettings({ ...saved, theme: t }),
    onSuccess: (s) => client.setQueryData(keys.settings(), s),
    onError: (err) => {
      const e = toErrorPayload(err);
      pushToast({ title: 'Theme not saved', description: `${e.message} (${e.code})`, tone: 'error' });
    },
  });
  const edit = (patch: Partial<SettingsDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setJustSaved(false);
  };
  const shares = weightShares(draft.weights);
  const cooldownSeconds = Number(draft.cooldown);
  const healthy = Number(draft.healthyMin);
  const atRisk = Number(draft.atRiskMin);

  return (
    <form
      className="settings"
      onSubmit={(e) => {
        e.preventDefault();
        const parsed = parseDraft(draft, saved);
        if ('errors' in parsed) {
          setErrors(parsed.errors);
          return;
        }
        setErrors({});
        save.mutate(parsed.settings, { onSuccess: () => setJustSaved(true) });
      }}
    >
      <section className="card settings__group" aria-labelledby="set-snapshots">
        <h2 id="set-snapshots">Snapshots</h2>
        <NumberField
          id="cooldown"
          label="Cooldown (seconds)"
          testId="settings-cooldown"
          value={draft.cooldown}
          onChange={(v) => edit({ cooldown: v })}
          error={errors.cooldown}
          help={
            Number.isFinite(cooldownSeconds) && cooldownSeconds >= 0
              ? `An automatic snapshot is skipped when the account's newest snapshot is younger than ${formatCountdown(cooldownSeconds)}. Manual snapshots always happen.`
              : undefined
          }
        />
      </section>

      <section className="card settings__group" aria-labelledby="set-bands">
        <h2 id="set-bands">Health bands</h2>
        <div className="settings__row">
          <NumberField
            id="healthy-min"
            label="Healthy from"
            testId="settings-healthy-min"
            step={0.1}
            value={draft.healthyMin}
            onChange={(v) => edit({ healthyMin: v })}
            error={errors.healthyMin}
          />
          <NumberField
            id="at-risk-min"
            label="At risk from"
            testId="settings-at-risk-min"
            step={0.1}
            value={draft.atRiskMin}
            onChange={(v) => edit({ atRiskMin: v })}
            error={errors.atRiskMin}
          />
        </div>
        <div className="settings__bands">
          <BandBadge band="healthy" /> <span className="tabular">≥ {Number.isFinite(healthy) ? healthy : '—'}</span>
          <BandBadge band="at_risk" />
          <span className="tabular">
            ≥ {Number.isFinite(atRisk) ? atRisk : '—'} and &lt; {Number.isFinite(healthy) ? healthy : '—'}
          </span>
          <BandBadge band="critical" /> <span className="tabular">&lt; {Number.isFinite(atRisk) ? atRisk : '—'}</span>
        </div>
      </section>

      <section className="card settings__group" aria-labelledby="set-weights">
        <h2 id="set-weights">Category weights</h2>
        <p className="muted small">Each category counts in proportion to its weight; they need not add up to 1.</p>
        <div className="settings__weights">
          {Object.keys(draft.weights).map((k) => (
            <div key={k} className="settings__weight">
              <NumberField
                id={`weight-${k}`}
                label={k}
                step={0.05}
                value={draft.weights[k] ?? ''}
                onChange={(v) => edit({ weights: { ...draft.weights, [k]: v } })}
              />
              <span className="muted tabular small">{formatShare(shares[k])} of the score</span>
            </div>
          ))}
        </div>
        {errors.weights && <p className="field__error">{errors.weights}</p>}
      </section>

      <AskGroup draft={draft} errors={errors} edit={edit} />

      <section className="card settings__group" aria-labelledby="set-look">
        <h2 id="set-look">Appearance and data</h2>
        <div className="field">
          <label htmlFor="theme">Theme</label>
          <select
            id="theme"
            className="select settings__theme"
            data-testid="settings-theme"
            value={normaliseTheme(saved.theme)}
            onChange={(e) => {
              applyTheme(e.target.value);
              theme.mutate(e.target.value);
            }}
          >
            <option value="system">Same as the system</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
          <span className="field__help">Applies at once.</span>
        </div>
        <div className="field">
          <span className="field__label">Data folder</span>
          <span className="row mono">
            <Folder size={14} aria-hidden="true" />
            {dataDir ?? '—'}
          </span>
          <span className="field__help">The database, settings and log files live here; the command-line tool reads the same folder.</span>
        </div>
      </section>

      {save.error && <ErrorState error={save.error} title="Settings were not saved" />}
      <div className="settings__actions">
        <button type="submit" className="btn btn--primary" data-testid="settings-save" disabled={save.isPending}>
          <Save size={14} aria-hidden="true" />
          {save.isPending ? 'Saving…' : 'Save settings'}
        </button>
        {justSaved && !save.isPending && (
          <span className="saved" data-testid="settings-saved" role="status">
            <Check size={14} aria-hidden="true" />
            Saved
          </span>
        )}
      </div>
    </form>
  );
}

export function Settings({ dataDir }: { dataDir: string | undefined }) {
  const settings = useSettings();
  return (
    <div className="page__inner">
      <div className="page__header">
        <h1>Settings</h1>
      </div>
      {settings.isPending ? (
        <Skeleton lines={8} />
      ) : settings.error ? (
        <ErrorState error={settings.error} title="Settings could not be loaded" onRetry={() => void settings.refetch()} />
      ) : (
        <SettingsForm saved={settings.data} dataDir={dataDir} />
      )}
      <BackupsSection />
    </div>
  );
}
