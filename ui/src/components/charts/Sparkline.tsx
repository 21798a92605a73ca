// A row's health trend (oldest → newest) as a tiny uPlot line in its band's colour.
import { useContext, useMemo, useState } from 'react';
import type uPlot from 'uplot';
import type { Band } from '../../api/bindings/Band';
import { formatScore } from '../../lib/format';
import { useChartColors } from './chartColors';
import { ScrollingContext } from './scrolling';
import { UPlotChart } from './UPlotChart';

export function sparkRange(min: number, max: number): [number, number] {
  const mid = (min + max) / 2;
  const half = Math.max(5, (max - min) / 2 + 2);
  return [mid - half, mid + half];
}

export function Sparkline({ values, band, width = 88, height = 24 }: {
  values: number[];
  band: Band | null;
  width?: number;
  height?: number;
}) {
  const scrolling = useContext(ScrollingContext);
  // Drawn once the list is at rest, then kept (scrolling again doesn't remove it).
  const [armed, setArmed] = useState(!scrolling);
  if (!armed && !scrolling) setArmed(true);
  const colors = useChartColors();
  const stroke = band ? colors.band[band] : colors.line;
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      legend: { show: false },
      cursor: { show: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      axes: [{ show: false }, { show: false }],
      // Zoomed to the values (at least a 10-point window) so a change of a few points is visible.
      scales: { x: { time: false }, y: { range: (_u, min, max) => sparkRange(min, max) } },
      padding: [3, 3, 3, 3],
      series: [{}, { stroke, width: 1.5, points: { show: values.length === 1, size: 4, fill: stroke } }],
    }),
    [stroke, values.length],
  );
  const data = useMemo<uPlot.AlignedData>(() => [values.map((_, i) => i), values], [values]);
  if (values.length === 0) return <span className="muted">—</span>;
  if (!armed) return <span className="sparkline sparkline--pending" style={{ width, height: height / 2 }} aria-hidden="true" />;
  const label = `Health trend: ${values.map((v) => formatScore(v)).join(', ')}`;
  return <UPlotChart options={options} data={data} width={width} height={height} label={label} className="sparkline" />;
}
