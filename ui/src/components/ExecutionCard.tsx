// One playbook run on one account: its steps (tick, add a note), and Complete / Cancel while in progress.
import { CircleCheck, CircleSlash, LoaderCircle } from 'lucide-react';
import { useState } from 'react';
import type { PlaybookExecution } from '../api/bindings/PlaybookExecution';
import { usePlaybookActions } from '../api/playbookActions';
import { RelativeTime } from './RelativeTime';

const STATUS = {
  in_progress: { label: 'In progress', className: 'badge badge--manual', icon: LoaderCircle },
  completed: { label: 'Completed', className: 'badge badge--ok', icon: CircleCheck },
  cancelled: { label: 'Cancelled', className: 'badge', icon: CircleSlash },
} as const;

function StepNote({ initial, onSave, disabled }: { initial: string; onSave: (note: string) => void; disabled: boolean }) {
  const [value, setValue] = useState(initial);
  return (
    <input
      className="input input--small step__note"
      placeholder="Add a note"
      aria-label="Step note"
      value={value}
      disabled={disabled}
      onChange={(e) => setValue(e.target.value)}
      onBlur={() => {
        if (value !== initial) onSave(value);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
      }}
    />
  );
}

export function ExecutionCard({ execution, showAccount = true }: { execution: PlaybookExecution; showAccount?: boolean }) {
  const { setStep, complete, cancel } = usePlaybookActions();
  const status = STATUS[execution.status];
  const StatusIcon = status.icon;
  const open = execution.status === 'in_progress';
  const doneCount = execution.steps.filter((s) => s.done).length;
  const busy = setStep.isPending || complete.isPending || cancel.isPending;
  return (
    <article
      className="execution card"
      data-testid="execution"
      data-execution-id={String(execution.id)}
      data-status={execution.status}
      aria-label={`${execution.playbook_name} for ${execution.account_name}`}
    >
      <header className="execution__head">
        <div>
          <h3>{execution.playbook_name}</h3>
          <div className="muted small">
            {showAccount && <>{execution.account_name} · </>}started <RelativeTime value={execution.started_at} />
            {execution.completed_at && (
              <>
                {' '}
                · closed <RelativeTime value={execution.completed_at} />
              </>
            )}
          </div>
        </div>
        <div className="spacer" />
        <span className="muted tabular small">
          {doneCount}/{execution.steps.length} steps
        </span>
        <span className={status.className}>
          <StatusIcon size={11} aria-hidden="true" />
          {status.label}
        </span>
      </header>
      <ol className="steps">
        {execution.steps.map((step, index) => (
          <li key={index} className={`step${step.done ? ' step--done' : ''}`}>
            <label className="step__label">
              <input
                type="checkbox"
                data-testid="step-checkbox"
                data-step={index + 1}
                checked={step.done}
                disabled={!open || busy}
                onChange={(e) =>
                  setStep.mutate({ executionId: execution.id, index, done: e.target.checked, note: step.note })
                }
              />
              <span>{step.title}</span>
            </label>
            {open ? (
              <StepNote
                key={step.note ?? ''}
                initial={step.note ?? ''}
                disabled={busy}
                onSave={(note) =>
                  // An empty note clears it (null would leave the stored note unchanged).
                  setStep.mutate({ executionId: execution.id, index, done: step.done, note: note.trim() })
                }
              />
            ) : (
              step.note && <span className="muted small step__note-text">{step.note}</span>
            )}
          </li>
        ))}
      </ol>
      {open && (
        <footer className="execution__actions">
          <button
            type="button"
            className="btn btn--small btn--primary"
            data-testid="complete-playbook"
            disabled={busy}
            onClick={() => complete.mutate(execution.id)}
          >
            <CircleCheck size={12} aria-hidden="true" />
            Complete
          </button>
          <button
            type="button"
            className="btn btn--small btn--danger"
            data-testid="cancel-playbook"
            disabled={busy}
            onClick={() => cancel.mutate(execution.id)}
          >
            Cancel playbook
          </button>
        </footer>
      )}
    </article>
  );
}
