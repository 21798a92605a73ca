// The account's KPIs against their targets, as the snapshot saw them.
import { CircleCheck, CircleMinus, CircleX } from 'lucide-react';
import type { KpiState } from '../api/bindings/KpiState';
import { EmptyState } from '../components/States';
import { formatDate, formatKpiValue } from '../lib/format';
import { citedProps, useCitedAnchor } from './cited';

const STATUS = {
  on_target: { label: 'On target', className: 'badge badge--ok', icon: CircleCheck },
  off_target: { label: 'Off target', className: 'badge badge--bad', icon: CircleX },
  no_target: { label: 'No target', className: 'badge', icon: CircleMinus },
} as const;

export function KpiStatus({ status }: { status: string }) {
  const meta = STATUS[status as keyof typeof STATUS] ?? STATUS.no_target;
  const Icon = meta.icon;
  return (
    <span className={meta.className} data-status={status}>
      <Icon size={11} aria-hidden="true" />
      {meta.label}
    </span>
  );
}

export function KpiSection({ kpis }: { kpis: KpiState[] }) {
  const anchor = useCitedAnchor();
  if (kpis.length === 0) {
    return <EmptyState title="No KPIs yet">Drop a KPI workbook for this account to see its KPIs against target.</EmptyState>;
  }
  return (
    <table className="mini-table">
      <thead>
        <tr>
          <th>KPI</th>
          <th className="num">Value</th>
          <th className="num">Target</th>
          <th>Status</th>
          <th>Period</th>
        </tr>
      </thead>
      <tbody>
        {kpis.map((k, i) => (
          <tr
            key={`${k.name}-${k.period}`}
            data-testid="kpi-row"
            data-kpi={k.name}
            data-status={k.status}
            {...citedProps(anchor, `$.kpis[${i}]`)}
          >
            <td>
              <div>{k.name}</div>
              {k.category && <div className="muted small">{k.category}</div>}
            </td>
            <td className="num">{formatKpiValue(k.value, k.unit)}</td>
            <td className="num">
              {k.target == null ? '—' : `${k.direction === 'lower' ? '≤' : '≥'} ${formatKpiValue(k.target, k.unit)}`}
            </td>
            <td>
              <KpiStatus status={k.status} />
            </td>
            <td className="muted small">{formatDate(k.period)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
