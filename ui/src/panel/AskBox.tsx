// Ask a question about the account. Earlier questions and answers since the window opened stay above the box;
// three suggested questions fit the account as its snapshot shows it; every fact in an answer is a chip citing
// its snapshot and JSON path.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { MessageCircleQuestion, Send } from 'lucide-react';
import { useState } from 'react';
import type { AskClaim } from '../api/bindings/AskClaim';
import type { Snapshot } from '../api/bindings/Snapshot';
import { commands, type AccountId } from '../api/commands';
import { invalidateData } from '../api/queryClient';
import { AskAnswerView } from '../components/AskAnswerView';
import { askHistory, rememberAsk, type AskExchange } from '../components/askHistory';
import { askSuggestions } from '../components/askSuggestions';
import { ErrorState } from '../components/States';

export function AskBox({
  accountId,
  accountName,
  snapshot,
  onCite,
}: {
  accountId: AccountId;
  accountName: string;
  snapshot?: Snapshot | null;
  onCite?: (claim: AskClaim) => void;
}) {
  const client = useQueryClient();
  const scope = `account:${String(accountId)}`;
  const [question, setQuestion] = useState('');
  const [history, setHistory] = useState<AskExchange[]>(() => askHistory(scope));
  const ask = useMutation({
    mutationFn: (q: string) => commands.askAccount(accountId, q),
    onSuccess: (answer, q) => {
      setHistory(rememberAsk(scope, { question: q, answer }));
      setQuestion('');
      if (answer.snapshot_created) void invalidateData(client);
    },
  });
  const submit = (q: string) => {
    const text = q.trim();
    if (text) ask.mutate(text);
  };
  return (
    <div className="ask">
      {history.length > 0 && (
        <ol className="ask__history" data-testid="ask-history" aria-live="polite">
          {history.map((h, i) => (
            <li key={i}>
              <AskAnswerView question={h.question} answer={h.answer} onCite={onCite} />
            </li>
          ))}
        </ol>
      )}
      {ask.error && <ErrorState error={ask.error} title="No answer" />}
      <div className="ask__suggestions" data-testid="ask-suggestions">
        {askSuggestions(snapshot).map((s) => (
          <button key={s} type="button" className="btn btn--small btn--ghost" disabled={ask.isPending} onClick={() => submit(s)}>
            {s}
          </button>
        ))}
      </div>
      <form
        className="ask__form"
        onSubmit={(e) => {
          e.preventDefault();
          submit(question);
        }}
      >
        <MessageCircleQuestion size={16} aria-hidden="true" className="muted" />
        <input
          className="input ask__input"
          data-testid="ask-input"
          aria-label={`Ask about ${accountName}`}
          placeholder={`What's ${accountName}'s current status?`}
          value={question}
          onChange={(e) => setQuestion(e.target.value)}
        />
        <button type="submit" className="btn btn--small btn--primary" data-testid="ask-submit" disabled={ask.isPending || !question.trim()}>
          <Send size={12} aria-hidden="true" />
          {ask.isPending ? 'Asking…' : 'Ask'}
        </button>
      </form>
    </div>
  );
}
