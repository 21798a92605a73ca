// Which account a KPI file without an Account column belongs to: pick an existing one or type a new name.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { commands } from '../api/commands';
import { keys } from '../api/queryClient';
import { useDebounced } from '../lib/useDebounced';

const normalise = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

export function AccountChoice({
  onConfirm,
  onCancel,
  busy,
}: {
  onConfirm: (name: string) => void;
  onCancel: () => void;
  busy: boolean;
}) {
  const [value, setValue] = useState('');
  const wanted = normalise(value);
  const search = useDebounced(value.trim(), 120);
  // The core searches (it may hold 10,000 accounts); the first few matches are offered.
  const found = useQuery({
    queryKey: keys.accountChoice(search),
    queryFn: () => commands.listAccounts({ search: search || undefined, sort: 'name', offset: 0, limit: 8 }),
    placeholderData: keepPreviousData,
  });
  const matches = (found.data?.rows ?? []).map((r) => ({ id: r.id, name: r.name }));
  const exact = matches.find((a) => normalise(a.name) === wanted);
  return (
    <form
      className="account-choice"
      onSubmit={(e) => {
        e.preventDefault();
        if (wanted) onConfirm(exact?.name ?? value);
      }}
    >
      <label className="field">
        <span className="field__label">Account</span>
        <input
          className="input"
          data-testid="account-choice-input"
          autoFocus
          value={value}
          placeholder="Type an account name"
          onChange={(e) => setValue(e.target.value)}
          aria-describedby="account-choice-help"
        />
      </label>
      <p id="account-choice-help" className="field__help">
        {!wanted
          ? 'Choose an existing account or type the name of a new one.'
          : exact
            ? `Rows will be added to ${exact.name}.`
            : `A new account “${value.trim()}” will be created.`}
      </p>
      {matches.length > 0 && (
        <ul className="choice-list" aria-label="Existing accounts">
          {matches.map((a) => (
            <li key={String(a.id)}>
              <button
                type="button"
                className={`choice-list__item${exact?.id === a.id ? ' choice-list__item--active' : ''}`}
                onClick={() => setValue(a.name)}
              >
                {a.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="dialog__footer">
        <button type="button" className="btn" onClick={onCancel}>
          Skip this file
        </button>
        <button type="submit" className="btn btn--primary" data-testid="account-choice-confirm" disabled={!wanted || busy}>
          Continue
        </button>
      </div>
    </form>
  );
}
