// The one bridge to uPlot: creates the chart in a div, follows the container's width, and rebuilds when the
// options or data change. Every chart in the app (sparklines, distribution, trend) goes through it.
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

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => width ?? Math.max(80, Math.floor(el.clientWidth || 300));
    let chart: uPlot | null = null;
    try {
      chart = new uPlot({ ...options, width: measure(), height }, data, el);
    } catch (err) {
      console.warn('chart could not be drawn', err);
      return;
    }
    let observer: ResizeObserver | null = null;
    if (width == null && typeof ResizeObserver !== 'undefined') {
      observer = new ResizeObserver(() => chart?.setSize({ width: measure(), height }));
      observer.observe(el);
    }
    return () => {
      observer?.disconnect();
      chart?.destroy();
    };
  }, [options, data, height, width]);

  return <div ref={ref} className={className} data-testid={testId} role="img" aria-label={label} />;
}
