// One answer: its text, the facts it cites as small chips (snapshot #id and JSON path on hover), the accounts it
// names (as buttons when the caller can open them), and any note. Everything is rendered as text.
import type { AskAnswer } from '../api/bindings/AskAnswer';
import type { AskClaim } from '../api/bindings/AskClaim';
import type { AccountId } from '../api/commands';

export function AskAnswerView({
  question,
  answer,
  onOpenAccount,
  onCite,
}: {
  question?: string;
  answer: AskAnswer;
  onOpenAccount?: (id: AccountId, name: string) => void;
  onCite?: (claim: AskClaim) => void;
}) {
  const claims = answer.claims.filter((c, i, all) => all.findIndex((d) => d.snapshot_id === c.snapshot_id && d.path === c.path) === i);
  return (
    <div className="ask__answer" data-testid="ask-answer" data-intent={answer.intent} data-snapshot-id={String(answer.snapshot_id ?? '')}>
      {question && <p className="ask__question muted small">{question}</p>}
      <p className="ask__text">{answer.answer}</p>
      {answer.note && (
        <p className="muted small" data-testid="ask-note">
          {answer.note}
        </p>
      )}
      {onOpenAccount && answer.accounts.length > 0 && (
        <div className="ask__accounts" data-testid="ask-accounts">
          {answer.accounts.map((a) => (
            <button
              key={String(a.id)}
              type="button"
              className="btn btn--small"
              onClick={() => onOpenAccount(a.id as unknown as AccountId, a.name)}
            >
              {a.name}
            </button>
          ))}
        </div>
      )}
      {claims.length > 0 && (
        <ul className="ask__claims" aria-label="Sources">
          {claims.map((c) => (
            <li key={`${String(c.snapshot_id)}${c.path}`}>
              {onCite ? (
                <button
                  type="button"
                  className="chip chip--claim"
                  data-testid="ask-claim"
                  title={`Snapshot #${String(c.snapshot_id)} · ${c.path}`}
                  onClick={() => onCite(c)}
                >
                  {c.text}
                </button>
              ) : (
                <span className="chip chip--claim" data-testid="ask-claim" title={`Snapshot #${String(c.snapshot_id)} · ${c.path}`}>
                  {c.text}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {answer.snapshot_created && <p className="muted small">A snapshot was created automatically to answer: the account had none.</p>}
    </div>
  );
}
