// Test data built from the generated binding types. Ids cross IPC as JSON numbers, so fixtures use numbers
// (cast once here while some bindings still say `bigint`).
import type { AccountRow } from '../api/bindings/AccountRow';
import type { FileProbe } from '../api/bindings/FileProbe';
import type { ImportReport } from '../api/bindings/ImportReport';
import type { Overview } from '../api/bindings/Overview';
import type { Snapshot } from '../api/bindings/Snapshot';
import type { SnapshotOpen } from '../api/bindings/SnapshotOpen';

export const asId = <T = AccountRow['id']>(n: number) => n as unknown as T;

export function accountRow(n: number, patch: Partial<AccountRow> = {}): AccountRow {
  return {
    id: asId(n),
    name: `Account ${n}`,
    health_score: 72.44,
    band: 'healthy',
    health_period: '2025-03',
    trend: [60, 65, 72.44],
    last_snapshot_at: null,
    snapshot_count: asId(0),
    profile: { arr: 1_200_000, owner: 'Dana', renewal_date: '2025-11-30' },
    ...patch,
  };
}

export function overview(patch: Partial<Overview> = {}): Overview {
  return {
    accounts: 3,
    scored: 3,
    average_health: 61.25,
    healthy: 1,
    at_risk: 1,
    critical: 1,
    distribution: [0, 0, 1, 0, 0, 1, 0, 1, 0, 0],
    distribution_bands: ['critical', 'critical', 'critical', 'critical', 'at_risk', 'at_risk', 'at_risk', 'healthy', 'healthy', 'healthy'],
    average_band: 'at_risk',
    snapshots_total: 5,
    snapshots_today: 2,
    last_snapshot_at: null,
    pending_events: 0,
    owners: ['Dana'],
    segments: ['Enterprise'],
    data_dir: '/home/csm/.local/share/dev.tideline.desktop',
    ...patch,
  };
}

/** The band thresholds as the core's default settings carry them. */
export const defaultThresholds = { healthy_min: 70, at_risk_min: 40 };

export function snapshot(id: number, accountId: number, name: string, patch: Partial<Snapshot> = {}): Snapshot {
  return {
    id: asId(id),
    account_id: asId(accountId),
    account_name: name,
    snapshot_type: 'manual',
    trigger_event: 'User clicked account in Health tab',
    created_at: new Date().toISOString(),
    schema_version: 1,
    content_sha256: 'abc',
    content: {
      schema_version: 1,
      account: { id: asId(accountId), name, external_id: null },
      profile: {},
      kpis: [],
      health: null,
      playbooks: [],
      recent_imports: [],
      changes: { previous_snapshot_id: null, lines: [] },
    },
    ...patch,
  };
}

export function snapshotOpen(s: Snapshot, patch: Partial<SnapshotOpen> = {}): SnapshotOpen {
  return { created: true, snapshot: s, changes_since: 0, cooldown_remaining_seconds: 300, cooldown_seconds: 300, ...patch };
}

export function probe(file: string, patch: Partial<FileProbe> = {}): FileProbe {
  return { file, kind: 'kpi', needs_account: false, sheets: ['KPIs'], ...patch };
}

export function importReport(patch: Partial<ImportReport> = {}): ImportReport {
  return {
    import_id: null,
    kind: 'kpi',
    file: '/data/kpis.xlsx',
    sha256: 'f00',
    rows_read: 12,
    rows_imported: 10,
    rows_rejected: 2,
    accounts: ['TechCorp Solutions'],
    rejected: [
      { sheet: 'KPIs', row: 7, column: 'Value', reason: 'not a number: "n/a"' },
      { sheet: 'KPIs', row: 9, column: 'KPI', reason: 'empty' },
    ],
    duration_ms: asId(42),
    dry_run: true,
    rows_new: 8,
    rows_changed: 2,
    rows_unchanged: 0,
    accounts_new: [],
    accounts_updated: ['TechCorp Solutions'],
    accounts_unchanged: [],
    sheets: ['KPIs'],
    skipped_sheets: [],
    events: 0,
    status: 'preview',
    created_at: new Date().toISOString(),
    rows_superseded: 0,
    superseded: [],
    ...patch,
  };
}
