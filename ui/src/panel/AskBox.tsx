// Ask a question about the account; the answer says which snapshot it came from (created on the spot if none).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { MessageCircleQuestion, Send } from 'lucide-react';
import { useState } from 'react';
import { commands, type AccountId } from '../api/commands';
import { invalidateData } from '../api/queryClient';
import { ErrorState } from '../components/States';

export function AskBox({ accountId, accountName }: { accountId: AccountId; accountName: string }) {
  const client = useQueryClient();
  const [question, setQuestion] = useState('');
  const ask = useMutation({
    mutationFn: (q: string) => commands.askAccount(accountId, q),
    onSuccess: (a) => {
      if (a.snapshot_created) void invalidateData(client);
    },
  });
  const submit = () => {
    const q = question.trim();
    if (q) ask.mutate(q);
  };
  return (
    <div className="ask">
      <form
        className="ask__form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
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
      {ask.error && <ErrorState error={ask.error} title="No answer" />}
      {ask.data && (
        <div className="ask__answer" data-testid="ask-answer" data-snapshot-id={String(ask.data.snapshot_id)} aria-live="polite">
          <p className="ask__text">{ask.data.answer}</p>
          <p className="muted small">
            From snapshot #{String(ask.data.snapshot_id)}
            {ask.data.snapshot_created ? ' (created automatically to answer: the account had no snapshot)' : ''}
            {ask.data.sources.length > 0 && <> · sources: {ask.data.sources.join(', ')}</>}
          </p>
        </div>
      )}
    </div>
  );
}
