// The one bridge to uPlot: creates the chart in a div, follows the container's width, rebuilds when the options
// or size change and only swaps the data in place when the data change. Every chart in the app (sparklines,
// distribution, trend) goes through it.
//
// Swapping data in place matters in a long review: each new chart inserts a canvas and its legend into the page,
// and WebKit keeps some native memory for every element inserted and removed, so rebuilding the trend chart for
// each of 500 accounts walked with ↓ grew the window steadily (issue 12).
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

export interface UPlotChartProps {
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  height: number;
  /** Fixed width in px; when omitted the chart fills its container's width. */
  width?: number;
  className?: string;
  testId?: string;
  label: string;
}

export function UPlotChart({ options, data, height, width, className, testId, label }: UPlotChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  // The data the chart was built with or last given: a rebuild starts from the newest.
  const latest = useRef(data);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => width ?? Math.max(80, Math.floor(el.clientWidth || 300));
    let built: uPlot;
    try {
      built = new uPlot({ ...options, width: measure(), height }, latest.current, el);
    } catch (err) {
      console.warn('chart could not be drawn', err);
      return;
    }
    chart.current = built;
    let observer: ResizeObserver | null = null;
    if (width == null && typeof ResizeObserver !== 'undefined') {
      observer = new ResizeObserver(() => built.setSize({ width: measure(), height }));
      observer.observe(el);
    }
    return () => {
      observer?.disconnect();
      built.destroy();
      if (chart.current === built) chart.current = null;
    };
  }, [options, height, width]);

  useEffect(() => {
    if (latest.current === data) return;
    latest.current = data;
    try {
      chart.current?.setData(data);
    } catch (err) {
      console.warn('chart could not be redrawn', err);
    }
  }, [data]);

  return <div ref={ref} className={className} data-testid={testId} role="img" aria-label={label} />;
}
