// The four summary cards at the top of the Health tab.
import { Camera, Gauge, TriangleAlert, Users } from 'lucide-react';
import type { ReactNode } from 'react';
import type { Overview } from '../api/bindings/Overview';
import { formatNumber, formatScore } from '../lib/format';
import { BandBadge } from './BandBadge';

function Card({ testId, icon, label, value, detail }: { testId: string; icon: ReactNode; label: string; value: ReactNode; detail?: ReactNode }) {
  return (
    <div className="summary-card card">
      <div className="summary-card__label">
        {icon}
        {label}
      </div>
      <div className="summary-card__value tabular" data-testid={testId}>
        {value}
      </div>
      {detail && <div className="summary-card__detail">{detail}</div>}
    </div>
  );
}

export function SummaryCards({ overview }: { overview: Overview }) {
  const avg = overview.average_health;
  return (
    <section className="summary-cards" aria-label="Summary">
      <Card
        testId="summary-accounts"
        icon={<Users size={14} aria-hidden="true" />}
        label="Accounts"
        value={formatNumber(overview.accounts, 0)}
        detail={<span className="muted">{formatNumber(overview.scored, 0)} scored</span>}
      />
      <Card
        testId="summary-average"
        icon={<Gauge size={14} aria-hidden="true" />}
        label="Average health"
        value={formatScore(avg)}
        detail={
          avg == null || overview.average_band == null ? (
            <span className="muted">No scores yet</span>
          ) : (
            <BandBadge band={overview.average_band} />
          )
        }
      />
      <Card
        testId="summary-at-risk"
        icon={<TriangleAlert size={14} aria-hidden="true" />}
        label="At risk"
        value={formatNumber(overview.at_risk, 0)}
        detail={
          <span className="muted">
            {formatNumber(overview.critical, 0)} critical · {formatNumber(overview.healthy, 0)} healthy
          </span>
        }
      />
      <Card
        testId="summary-snapshots-today"
        icon={<Camera size={14} aria-hidden="true" />}
        label="Snapshots today"
        value={formatNumber(overview.snapshots_today, 0)}
        detail={<span className="muted">{formatNumber(overview.snapshots_total, 0)} in total</span>}
      />
    </section>
  );
}
