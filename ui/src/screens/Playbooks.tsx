// Playbooks: the catalog (start one on an account), and every run with its steps, notes, complete/cancel.
import { ListChecks, Play } from 'lucide-react';
import { useState } from 'react';
import type { PlaybookExecution } from '../api/bindings/PlaybookExecution';
import { usePlaybookActions } from '../api/playbookActions';
import { useAccountNames, useExecutions, usePlaybooks } from '../api/queries';
import { ExecutionCard } from '../components/ExecutionCard';
import { EmptyState, ErrorState, Skeleton } from '../components/States';

const ORDER = { in_progress: 0, completed: 1, cancelled: 2 } as const;

export function sortExecutions(list: PlaybookExecution[]): PlaybookExecution[] {
  return [...list].sort(
    (a, b) => ORDER[a.status] - ORDER[b.status] || Date.parse(b.updated_at) - Date.parse(a.updated_at),
  );
}

export function Playbooks() {
  const playbooks = usePlaybooks();
  const accounts = useAccountNames();
  const executions = useExecutions(null);
  const { start } = usePlaybookActions();
  const [accountId, setAccountId] = useState('');
  const account = accounts.data?.find((a) => String(a.id) === accountId);

  return (
    <div className="page__inner">
      <div className="page__header">
        <h1>Playbooks</h1>
        <div className="spacer" />
        <label className="row" htmlFor="playbook-account">
          <span className="muted">Start on</span>
        </label>
        <select
          id="playbook-account"
          className="select playbook-account"
          data-testid="playbook-account-select"
          value={accountId}
          onChange={(e) => setAccountId(e.target.value)}
          disabled={!accounts.data?.length}
        >
          <option value="">{accounts.isPending ? 'Loading accounts…' : 'Choose an account'}</option>
          {accounts.data?.map((a) => (
            <option key={String(a.id)} value={String(a.id)}>
              {a.name}
            </option>
          ))}
        </select>
      </div>

      <section aria-labelledby="catalog-title">
        <h2 id="catalog-title" className="section-title">
          Catalog
        </h2>
        {playbooks.isPending ? (
          <Skeleton lines={4} />
        ) : playbooks.error ? (
          <ErrorState error={playbooks.error} title="The playbook catalog could not be loaded" onRetry={() => void playbooks.refetch()} />
        ) : playbooks.data.length === 0 ? (
          <EmptyState title="No playbooks in the catalog" />
        ) : (
          <div className="catalog">
            {playbooks.data.map((p) => (
              <article key={p.key} className="card playbook-card" data-testid="playbook-card" data-playbook-key={p.key}>
                <h3>{p.name}</h3>
                <p className="muted">{p.description}</p>
                <p className="small">
                  <strong>Fits:</strong> {p.fits}
                </p>
                <ol className="playbook-card__steps small">
                  {p.steps.map((s, i) => (
                    <li key={i}>{s}</li>
                  ))}
                </ol>
                <button
                  type="button"
                  className="btn btn--small"
                  data-testid="start-playbook"
                  disabled={!account || start.isPending}
                  title={account ? `Start ${p.name} on ${account.name}` : 'Choose an account first'}
                  onClick={() => account && start.mutate({ accountId: account.id, playbookKey: p.key })}
                >
                  <Play size={12} aria-hidden="true" />
                  {account ? `Start on ${account.name}` : 'Start'}
                </button>
              </article>
            ))}
          </div>
        )}
      </section>

      <section aria-labelledby="runs-title">
        <h2 id="runs-title" className="section-title">
          <ListChecks size={16} aria-hidden="true" />
          Runs
        </h2>
        {executions.isPending ? (
          <Skeleton lines={4} />
        ) : executions.error ? (
          <ErrorState error={executions.error} title="Playbook runs could not be loaded" onRetry={() => void executions.refetch()} />
        ) : executions.data.length === 0 ? (
          <EmptyState title="No playbook runs yet">Choose an account above and start a playbook from the catalog.</EmptyState>
        ) : (
          <div className="executions">
            {sortExecutions(executions.data).map((x) => (
              <ExecutionCard key={String(x.id)} execution={x} />
            ))}
          </div>
        )}
      </section>
    </div>
  );
}
