// Read hooks over the commands module: one per screen need, keyed through `keys`.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { commands, type AccountId } from './commands';
import { keys } from './queryClient';

export const useOverview = () => useQuery({ queryKey: keys.overview(), queryFn: commands.overview });

export const useSettings = () =>
  useQuery({ queryKey: keys.settings(), queryFn: commands.getSettings, staleTime: Infinity });

/** The core's default settings: what the window uses until the saved ones have loaded. */
export const useDefaultSettings = () =>
  useQuery({ queryKey: keys.defaultSettings(), queryFn: commands.defaultSettings, staleTime: Infinity });

export const useActivity = (limit = 200) =>
  useQuery({ queryKey: keys.activity(), queryFn: () => commands.listActivity(limit) });

export const useImports = (limit = 100) =>
  useQuery({ queryKey: keys.imports(), queryFn: () => commands.listImports(limit) });

export const usePlaybooks = () =>
  useQuery({ queryKey: keys.playbooks(), queryFn: commands.listPlaybooks, staleTime: Infinity });

/** Runs of one account (or all): moving to another account keeps the previous list until the new one is read. */
export const useExecutions = (accountId: AccountId | null) =>
  useQuery({
    queryKey: keys.executions(accountId),
    queryFn: () => commands.listExecutions(accountId),
    placeholderData: keepPreviousData,
  });

/** Every account's id and name, sorted by name, for pickers (playbook start, account choice). */
export const useAccountNames = () =>
  useQuery({
    queryKey: keys.accountNames(),
    queryFn: async () => {
      const page = await commands.listAccounts({ sort: 'name', descending: false, offset: 0, limit: 10_000 });
      return page.rows.map((r) => ({ id: r.id, name: r.name }));
    },
  });
