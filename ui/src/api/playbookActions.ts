// Playbook mutations shared by the Playbooks screen and the account panel.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { PlaybookExecution } from './bindings/PlaybookExecution';
import { commands, type AccountId, type ExecutionId } from './commands';
import { toErrorPayload } from './errors';
import { invalidateData } from './queryClient';
import { pushToast } from '../components/toastStore';

/** `set_step` numbers steps as people do: the first step is 1 (as in `tideline-cli playbook step ID N`). */
export const FIRST_STEP_NUMBER = 1;

function fail(title: string) {
  return (err: unknown) => {
    const e = toErrorPayload(err);
    pushToast({ title, description: `${e.message} (${e.code})`, tone: 'error' });
  };
}

export function usePlaybookActions() {
  const client = useQueryClient();
  const done = () => void invalidateData(client);

  const start = useMutation({
    mutationFn: (v: { accountId: AccountId; playbookKey: string }) => commands.startPlaybook(v.accountId, v.playbookKey),
    onSuccess: (x: PlaybookExecution) => {
      pushToast({ title: `${x.playbook_name} started`, description: x.account_name, tone: 'success' });
      done();
    },
    onError: fail('Playbook not started'),
  });
  const setStep = useMutation({
    mutationFn: (v: { executionId: ExecutionId; index: number; done: boolean; note: string | null }) =>
      commands.setStep(v.executionId, v.index + FIRST_STEP_NUMBER, v.done, v.note),
    onSuccess: done,
    onError: fail('Step not saved'),
  });
  const complete = useMutation({
    mutationFn: (id: ExecutionId) => commands.completePlaybook(id),
    onSuccess: (x: PlaybookExecution) => {
      pushToast({ title: `${x.playbook_name} completed`, description: x.account_name, tone: 'success' });
      done();
    },
    onError: fail('Playbook not completed'),
  });
  const cancel = useMutation({
    mutationFn: (id: ExecutionId) => commands.cancelPlaybook(id),
    onSuccess: (x: PlaybookExecution) => {
      pushToast({ title: `${x.playbook_name} cancelled`, description: x.account_name, tone: 'info' });
      done();
    },
    onError: fail('Playbook not cancelled'),
  });
  return { start, setStep, complete, cancel };
}
