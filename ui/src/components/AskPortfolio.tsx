// The Health tab's Ask box: portfolio questions ("Which accounts are at risk?") or questions naming accounts.
// The accounts an answer names are buttons that open their panel.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { MessageCircleQuestion, Send } from 'lucide-react';
import { useState } from 'react';
import { commands, type AccountId } from '../api/commands';
import { invalidateData } from '../api/queryClient';
import { AskAnswerView } from './AskAnswerView';
import { askHistory, rememberAsk, type AskExchange } from './askHistory';
import { PORTFOLIO_SUGGESTIONS } from './askSuggestions';
import { ErrorState } from './States';

const SCOPE = 'portfolio';

export function AskPortfolio({ onOpenAccount }: { onOpenAccount: (id: AccountId, name: string) => void }) {
  const client = useQueryClient();
  const [question, setQuestion] = useState('');
  const [history, setHistory] = useState<AskExchange[]>(() => askHistory(SCOPE));
  const ask = useMutation({
    mutationFn: (q: string) => commands.askPortfolio(q),
    onSuccess: (answer, q) => {
      setHistory(rememberAsk(SCOPE, { question: q, answer }));
      setQuestion('');
      if (answer.snapshots_created.length > 0) void invalidateData(client);
    },
  });
  const submit = (q: string) => {
    const text = q.trim();
    if (text) ask.mutate(text);
  };
  return (
    <section className="card ask ask--portfolio" aria-label="Ask about the portfolio" data-testid="ask-portfolio">
      {history.length > 0 && (
        <ol className="ask__history" data-testid="ask-history" aria-live="polite">
          {history.map((h, i) => (
            <li key={i}>
              <AskAnswerView question={h.question} answer={h.answer} onOpenAccount={onOpenAccount} />
            </li>
          ))}
        </ol>
      )}
      {ask.error && <ErrorState error={ask.error} title="No answer" />}
      <div className="ask__suggestions">
        {PORTFOLIO_SUGGESTIONS.map((s) => (
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
          data-testid="ask-portfolio-input"
          aria-label="Ask about your accounts"
          placeholder="Which accounts are at risk?"
          value={question}
          onChange={(e) => setQuestion(e.target.value)}
        />
        <button type="submit" className="btn btn--small btn--primary" data-testid="ask-portfolio-submit" disabled={ask.isPending || !question.trim()}>
          <Send size={12} aria-hidden="true" />
          {ask.isPending ? 'Asking…' : 'Ask'}
        </button>
      </form>
    </section>
  );
}
