// How many accounts fall in each score bucket of ten, as uPlot bars coloured by the band the core gave each bucket,
// with a text legend.
import { useMemo } from 'react';
import uPlot from 'uplot';
import type { Band } from '../../api/bindings/Band';
import { BANDS } from '../../lib/bands';
import { formatNumber } from '../../lib/format';
import { BandBadge } from '../BandBadge';
import { useChartColors } from './chartColors';
import { UPlotChart } from './UPlotChart';

export const BUCKET_LABELS = ['0–9', '10–19', '20–29', '30–39', '40–49', '50–59', '60–69', '70–79', '80–89', '90–100'];
/** Axis ticks name each bucket by its lower edge, so ten labels fit a narrow card. */
const TICKS = ['0', '10', '20', '30', '40', '50', '60', '70', '80', '90+'];

/** One series per band, holding only that band's buckets (`bands[i]`, from the core), so each bar takes its band's
 *  colour. A bucket without a band is left out of every series. */
export function distributionSeries(counts: number[], bands: readonly Band[]): Record<Band, (number | null)[]> {
  const out = { healthy: [], at_risk: [], critical: [] } as Record<Band, (number | null)[]>;
  BUCKET_LABELS.forEach((_, i) => {
    const band = bands[i];
    for (const b of BANDS) out[b].push(b === band ? (counts[i] ?? 0) : null);
  });
  return out;
}

export function DistributionChart({ counts, bands }: { counts: number[]; bands: readonly Band[] }) {
  const colors = useChartColors();
  const series = useMemo(() => distributionSeries(counts, bands), [counts, bands]);
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(() => {
    const bars = uPlot.paths.bars?.({ size: [0.8, 48], gap: 2 });
    const axis = { stroke: colors.axis, font: '11px system-ui, sans-serif', grid: { stroke: colors.grid, width: 1 }, ticks: { show: false } };
    return {
      legend: { show: false },
      cursor: { show: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      scales: { x: { time: false, range: [-0.5, 9.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [
        { ...axis, grid: { show: false }, splits: () => BUCKET_LABELS.map((_, i) => i), values: (_u, splits) => splits.map((i) => TICKS[i] ?? '') },
        { ...axis, size: 40, values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? formatNumber(v, 0) : '')) },
      ],
      series: [
        {},
        ...BANDS.map((b) => ({ label: b, fill: colors.band[b], stroke: colors.band[b], width: 0, paths: bars, points: { show: false } })),
      ],
    };
  }, [colors]);
  const data = useMemo<uPlot.AlignedData>(
    () => [BUCKET_LABELS.map((_, i) => i), ...BANDS.map((b) => series[b])],
    [series],
  );
  const summary = BUCKET_LABELS.map((l, i) => `${l}: ${counts[i] ?? 0}`).join(', ');
  return (
    <div className="distribution">
      <UPlotChart options={options} data={data} height={150} label={`Accounts per health score bucket. ${summary}`} testId="distribution-chart" />
      <div className="chart-legend" aria-hidden="true">
        {BANDS.map((b) => (
          <BandBadge key={b} band={b} />
        ))}
      </div>
    </div>
  );
}
