// Ask a question about the account. Earlier questions and answers since the window opened stay above the box;
// three suggested questions fit the account as its snapshot shows it; every fact in an answer is a chip citing
// its snapshot and JSON path.
import { useQueryClient } from '@tanstack/react-query';
import type { AskClaim } from '../api/bindings/AskClaim';
import type { Snapshot } from '../api/bindings/Snapshot';
import { commands, type AccountId } from '../api/commands';
import { invalidateData } from '../api/queryClient';
import { AskConversation } from '../components/AskConversation';
import { askSuggestions } from '../components/askSuggestions';

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
  return (
    <div className="ask">
      <AskConversation
        scope={`account:${String(accountId)}`}
        ask={(q, stream) => commands.askAccount(accountId, q, stream)}
        onAnswer={(answer) => {
          if (answer.snapshot_created) void invalidateData(client);
        }}
        suggestions={askSuggestions(snapshot)}
        inputLabel={`Ask about ${accountName}`}
        placeholder={`What's ${accountName}'s current status?`}
        testId="ask"
        onCite={onCite}
      />
    </div>
  );
}
