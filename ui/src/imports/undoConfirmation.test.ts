import { describe, expect, it } from 'vitest';
import { undoConfirmation } from './undoConfirmation';

describe('undoConfirmation', () => {
  it('says nothing about accounts when the import created none', () => {
    expect(undoConfirmation({ kind: 'kpi', accounts_created: 0 })).toEqual({
      revert: 'Put back the KPI values this import replaced and remove what it added?',
      accountsRemoved: null,
    });
  });

  it('names how many accounts go, with everything held on them', () => {
    expect(undoConfirmation({ kind: 'profile', accounts_created: 1200 }).accountsRemoved).toBe(
      'This also deletes the 1,200 accounts this import created, with all their snapshots (manual ones too), ' +
        "health scores, KPI values, playbook runs and activity; none of it can be brought back.",
    );
    expect(undoConfirmation({ kind: 'kpi', accounts_created: 1 }).accountsRemoved).toBe(
      'This also deletes the account this import created, with all its snapshots (manual ones too), ' +
        "health scores, KPI values, playbook runs and activity; none of it can be brought back.",
    );
  });

  it('says a profile import puts profiles back', () => {
    expect(undoConfirmation({ kind: 'profile', accounts_created: 0 }).revert).toContain('profiles and account IDs');
  });
});
