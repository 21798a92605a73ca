// An account's health score per period (uPlot), with the Healthy and At risk thresholds as dashed lines.
import { useMemo } from 'react';
import type uPlot from 'uplot';
import type { HealthRecord } from '../../api/bindings/HealthRecord';
import type { Thresholds } from '../../lib/bands';
import { formatPeriod, formatScore, periodToSeconds } from '../../lib/format';
import { useChartColors } from './chartColors';
import { UPlotChart } from './UPlotChart';

export function TrendChart({ records, thresholds }: { records: HealthRecord[]; thresholds: Thresholds }) {
  const colors = useChartColors();
  const points = useMemo(
    () =>
      records
        .map((r) => ({ x: periodToSeconds(r.period), y: r.score, period: r.period }))
        .filter((p): p is { x: number; y: number; period: string } => p.x != null)
        .sort((a, b) => a.x - b.x),
    [records],
  );
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(() => {
    const axis = { stroke: colors.axis, font: '11px system-ui, sans-serif', grid: { stroke: colors.grid, width: 1 }, ticks: { show: false } };
    return {
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: [0, 100] } },
      axes: [
        { ...axis, values: (_u, splits) => splits.map((s) => formatPeriod(new Date(s * 1000).toISOString())) },
        { ...axis, size: 36 },
      ],
      series: [
        { label: 'Period', value: (_u, v) => (v == null ? '—' : formatPeriod(new Date(v * 1000).toISOString())) },
        {
          label: 'Health',
          stroke: colors.line,
          width: 2,
          points: { show: true, size: 6, fill: colors.line },
          value: (_u, v) => formatScore(v),
        },
        { label: `Healthy ≥ ${thresholds.healthy_min}`, stroke: colors.band.healthy, width: 1, dash: [4, 4], points: { show: false }, value: () => '' },
        { label: `At risk ≥ ${thresholds.at_risk_min}`, stroke: colors.band.at_risk, width: 1, dash: [4, 4], points: { show: false }, value: () => '' },
      ],
    };
  }, [colors, thresholds.healthy_min, thresholds.at_risk_min]);
  const data = useMemo<uPlot.AlignedData>(
    () => [
      points.map((p) => p.x),
      points.map((p) => p.y),
      points.map(() => thresholds.healthy_min),
      points.map(() => thresholds.at_risk_min),
    ],
    [points, thresholds.healthy_min, thresholds.at_risk_min],
  );
  const label = `Health trend: ${points.map((p) => `${formatPeriod(p.period)} ${formatScore(p.y)}`).join(', ')}`;
  return <UPlotChart options={options} data={data} height={170} label={label} className="trend-chart" />;
}
