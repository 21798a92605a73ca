// Health by category, each with the KPIs that drove its score.
import type { HealthState } from '../api/bindings/HealthState';
import { ScoreWithBand } from '../components/BandBadge';
import { EmptyState } from '../components/States';
import { bandColorVar } from '../lib/bands';
import { formatKpiValue, formatPeriod, formatScore, formatShare } from '../lib/format';
import { citedProps, useCitedAnchor } from './cited';

export function HealthSection({ health }: { health: HealthState | null }) {
  const anchor = useCitedAnchor();
  if (!health) {
    return (
      <EmptyState title="No health score in this snapshot">
        Import KPI data for this account, then use “Calculate health scores”.
      </EmptyState>
    );
  }
  return (
    <div className="health-section">
      <div className="health-section__overall" {...citedProps(anchor, '$.health.score')}>
        <span className="muted">Overall · {formatPeriod(health.period)}</span>
        <ScoreWithBand score={health.score} band={health.band} />
      </div>
      <ul className="category-list">
        {health.categories.map((c, ci) => {
          // The band the core scored the category with; documents stored before categories had one show none.
          const band = c.band;
          return (
            <li
              key={c.category}
              className="category"
              data-testid="category-score"
              data-category={c.category}
              {...citedProps(anchor, `$.health.categories[${ci}]`)}
            >
              <div className="category__head">
                <span className="category__name">{c.category}</span>
                <span className="muted tabular">weight {formatShare(c.weight)}</span>
                <div className="spacer" />
                {band ? <ScoreWithBand score={c.score} band={band} /> : <span className="tabular">{formatScore(c.score)}</span>}
              </div>
              <div className="meter" aria-hidden="true">
                <div
                  className="meter__fill"
                  style={{
                    width: `${Math.max(0, Math.min(100, c.score))}%`,
                    background: band ? `var(${bandColorVar(band)})` : 'var(--text-muted)',
                  }}
                />
              </div>
              {c.drivers.length > 0 && (
                <table className="drivers">
                  <thead>
                    <tr>
                      <th>KPI</th>
                      <th className="num">Value</th>
                      <th className="num">Target</th>
                      <th className="num">Score</th>
                    </tr>
                  </thead>
                  <tbody>
                    {c.drivers.map((d, di) => (
                      <tr key={d.kpi} {...citedProps(anchor, `$.health.categories[${ci}].drivers[${di}]`)}>
                        <td>
                          {d.kpi}
                          <span className="muted"> · {d.direction === 'higher' ? 'higher is better' : 'lower is better'}</span>
                        </td>
                        <td className="num">{formatKpiValue(d.value, null)}</td>
                        <td className="num">{d.target == null ? <span className="muted">vs history</span> : formatKpiValue(d.target, null)}</td>
                        <td className="num">{formatScore(d.score)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
