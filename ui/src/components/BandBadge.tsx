// A health band shown with its colour, an icon and its label: never colour alone.
import { CircleCheck, CircleDashed, OctagonAlert, TriangleAlert } from 'lucide-react';
import type { Band } from '../api/bindings/Band';
import { bandClass, bandLabel } from '../lib/bands';
import { formatScore } from '../lib/format';

const ICONS = { healthy: CircleCheck, at_risk: TriangleAlert, critical: OctagonAlert } as const;

export function BandBadge({ band }: { band: Band | null }) {
  if (!band) {
    return (
      <span className="band band--none">
        <CircleDashed size={12} aria-hidden="true" />
        Not scored
      </span>
    );
  }
  const Icon = ICONS[band];
  return (
    <span className={bandClass(band)} data-band={band}>
      <Icon size={12} aria-hidden="true" />
      {bandLabel(band)}
    </span>
  );
}

/** "72.4 Healthy": the score in tabular figures, then its band. */
export function ScoreWithBand({ score, band }: { score: number | null; band: Band | null }) {
  return (
    <span className="score-band">
      <span className="score-band__score tabular">{formatScore(score)}</span>{' '}
      <BandBadge band={score == null ? null : band} />
    </span>
  );
}
