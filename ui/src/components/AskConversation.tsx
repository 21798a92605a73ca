// The one question form Ask has everywhere (an account's panel, the Health tab, the command palette): earlier
// questions and answers since the window opened above, an error if the question failed, suggested questions, and
// the box. Where it asks (one account or the portfolio) is the caller's `ask`. A local model's reply shows as it
// streams in; the checked answer (the model's, or the built-in one with a note) replaces it.
import { useMutation } from '@tanstack/react-query';
import { MessageCircleQuestion, Send } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import type { AskAnswer } from '../api/bindings/AskAnswer';
import type { AskClaim } from '../api/bindings/AskClaim';
import type { AccountId } from '../api/commands';
import { listenAskDelta, newAskStream } from '../api/events';
import { AskAnswerView } from './AskAnswerView';
import { rememberAsk, useAskHistory } from './askHistory';
import { ErrorState } from './States';

/** One question as asked: where (the scope and its `ask`), so its answer lands there even if the box moved on. */
interface Asked {
  q: string;
  scope: string;
  ask: (question: string, stream: number) => Promise<AskAnswer>;
  onAnswer?: (answer: AskAnswer) => void;
}

export function AskConversation({
  scope,
  ask,
  onAnswer,
  suggestions,
  inputLabel,
  placeholder,
  testId,
  onOpenAccount,
  onCite,
  initialQuestion,
  autoFocus,
}: {
  /** Whose history this is: `account:<id>` or `portfolio`. */
  scope: string;
  /** Asks; `stream` is the id a local model's reply streams under. */
  ask: (question: string, stream: number) => Promise<AskAnswer>;
  /** After each answer, e.g. to refresh data when the answer created snapshots. */
  onAnswer?: (answer: AskAnswer) => void;
  suggestions: string[];
  inputLabel: string;
  placeholder: string;
  /** Prefix of the test ids of the box and its button: `<testId>-input`, `<testId>-submit`. */
  testId: string;
  onOpenAccount?: (id: AccountId, name: string) => void;
  onCite?: (claim: AskClaim) => void;
  /** Asked once when the component mounts (the palette's "Ask: …"). */
  initialQuestion?: string;
  autoFocus?: boolean;
}) {
  // The account panel keeps this box mounted from one account to the next: a question typed, an answer on its
  // way or an error belong to the scope they were asked in, and the next account starts with an empty box.
  const [draft, setDraft] = useState({ scope, text: '' });
  const question = draft.scope === scope ? draft.text : '';
  const setQuestion = (text: string) => setDraft({ scope, text });
  // A local model's reply as it streams in, for the newest question only (an earlier one may still be streaming
  // for another account).
  const [streaming, setStreaming] = useState({ stream: 0, text: '' });
  const history = useAskHistory(scope);
  const mutation = useMutation({
    mutationFn: async ({ q, ask }: Asked) => {
      const stream = newAskStream();
      setStreaming({ stream, text: '' });
      const stop = await listenAskDelta(stream, (text) =>
        setStreaming((s) => (s.stream === stream ? { stream, text: s.text + text } : s)),
      );
      try {
        return await ask(q, stream);
      } finally {
        stop();
        setStreaming((s) => (s.stream === stream ? { stream: 0, text: '' } : s));
      }
    },
    onSuccess: (answer, asked) => {
      rememberAsk(asked.scope, { question: asked.q, answer });
      setDraft((d) => (d.scope === asked.scope ? { scope: d.scope, text: '' } : d));
      asked.onAnswer?.(answer);
    },
  });
  const here = mutation.variables?.scope === scope;
  const pending = mutation.isPending && here;
  const failed = here ? mutation.error : null;
  const submit = (q: string) => {
    const text = q.trim();
    if (text) mutation.mutate({ q: text, scope, ask, onAnswer });
  };
  const asked = useRef(false);
  useEffect(() => {
    if (asked.current || !initialQuestion?.trim()) return;
    asked.current = true;
    mutation.mutate({ q: initialQuestion.trim(), scope, ask, onAnswer });
  }, [initialQuestion, mutation, scope, ask, onAnswer]);

  return (
    <>
      {history.length > 0 && (
        <ol className="ask__history" data-testid="ask-history" aria-live="polite">
          {history.map((h, i) => (
            <li key={i}>
              <AskAnswerView question={h.question} answer={h.answer} onOpenAccount={onOpenAccount} onCite={onCite} />
            </li>
          ))}
        </ol>
      )}
      {pending && streaming.text && (
        <p className="ask__text ask__streaming" data-testid="ask-streaming" aria-live="polite">
          {streaming.text}
        </p>
      )}
      {failed && <ErrorState error={failed} title="No answer" />}
      <div className="ask__suggestions" data-testid="ask-suggestions">
        {/* Keyed by position: in the account panel the box moves from one account to the next (see AccountPanel). */}
        {suggestions.map((s, i) => (
          <button key={i} type="button" className="btn btn--small btn--ghost" disabled={pending} onClick={() => submit(s)}>
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
          data-testid={`${testId}-input`}
          aria-label={inputLabel}
          placeholder={placeholder}
          value={question}
          autoFocus={autoFocus}
          onChange={(e) => setQuestion(e.target.value)}
        />
        <button
          type="submit"
          className="btn btn--small btn--primary"
          data-testid={`${testId}-submit`}
          disabled={pending || !question.trim()}
        >
          <Send size={12} aria-hidden="true" />
          {pending ? 'Asking…' : 'Ask'}
        </button>
      </form>
    </>
  );
}
