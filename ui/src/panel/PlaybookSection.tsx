// The account's playbook runs, the suggested playbook (and why), and starting one.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Lightbulb, Play } from 'lucide-react';
import { useState } from 'react';
import { commands, type AccountId } from '../api/commands';
import { usePlaybookActions } from '../api/playbookActions';
import { useExecutions, usePlaybooks } from '../api/queries';
import { keys } from '../api/queryClient';
import { ExecutionCard } from '../components/ExecutionCard';
import { ErrorState, Skeleton } from '../components/States';
import { Settling } from './Settling';

export function PlaybookSection({ accountId }: { accountId: AccountId }) {
  const executions = useExecutions(accountId);
  const playbooks = usePlaybooks();
  const suggestion = useQuery({
    queryKey: keys.suggestion(accountId),
    queryFn: () => commands.suggestPlaybook(accountId),
    placeholderData: keepPreviousData,
  });
  const { start } = usePlaybookActions();
  // The playbook picked for this account; the panel stays mounted, so another account starts from its suggestion.
  const [choice, setChoice] = useState({ accountId, key: '' });
  const chosen = choice.accountId === accountId ? choice.key : '';
  const setChosen = (key: string) => setChoice({ accountId, key });
  const suggested = suggestion.data?.playbook_key;
  const key = chosen || suggested || playbooks.data?.[0]?.key || '';
  const nameOf = (k: string) => playbooks.data?.find((p) => p.key === k)?.name ?? k;

  return (
    <Settling className="playbook-section" busy={executions.isPlaceholderData || suggestion.isPlaceholderData}>
      {suggestion.data && (
        <div className="suggestion" data-testid="playbook-suggestion" data-playbook-key={suggestion.data.playbook_key}>
          <Lightbulb size={14} aria-hidden="true" />
          <div>
            <strong>Suggested: {nameOf(suggestion.data.playbook_key)}</strong>
            <div className="muted small">{suggestion.data.reason}</div>
          </div>
        </div>
      )}
      <div className="row">
        <label className="visually-hidden" htmlFor={`panel-playbook-${String(accountId)}`}>
          Playbook to start
        </label>
        <select
          id={`panel-playbook-${String(accountId)}`}
          className="select"
          value={key}
          onChange={(e) => setChosen(e.target.value)}
          disabled={!playbooks.data?.length}
        >
          {playbooks.data?.map((p) => (
            <option key={p.key} value={p.key}>
              {p.name}
              {p.key === suggested ? ' (suggested)' : ''}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="btn btn--small"
          data-testid="start-playbook"
          disabled={!key || start.isPending}
          onClick={() => start.mutate({ accountId, playbookKey: key })}
        >
          <Play size={12} aria-hidden="true" />
          Start
        </button>
      </div>
      {executions.isPending ? (
        <Skeleton lines={2} />
      ) : executions.error ? (
        <ErrorState error={executions.error} title="Playbooks could not be loaded" onRetry={() => void executions.refetch()} />
      ) : executions.data.length === 0 ? (
        <p className="muted">No playbook has been run on this account yet.</p>
      ) : (
        executions.data.map((x) => <ExecutionCard key={String(x.id)} execution={x} showAccount={false} />)
      )}
    </Settling>
  );
}
