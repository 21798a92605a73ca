// Chart colours come from the design tokens, so charts match badges and follow the theme.
import { useMemo } from 'react';
import type { Band } from '../../api/bindings/Band';
import { bandColorVar } from '../../lib/bands';
import { useResolvedTheme } from '../../lib/theme';

export interface ChartColors {
  grid: string;
  axis: string;
  line: string;
  threshold: string;
  band: Record<Band, string>;
}

const FALLBACK: ChartColors = {
  grid: '#e6e9ee',
  axis: '#57606a',
  line: '#2956c9',
  threshold: '#8c959f',
  band: { healthy: '#17692f', at_risk: '#8a5a00', critical: '#c2262e' },
};

export function readChartColors(): ChartColors {
  if (typeof document === 'undefined') return FALLBACK;
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    grid: v('--chart-grid', FALLBACK.grid),
    axis: v('--chart-axis', FALLBACK.axis),
    line: v('--chart-line', FALLBACK.line),
    threshold: v('--chart-threshold', FALLBACK.threshold),
    band: {
      healthy: v(bandColorVar('healthy'), FALLBACK.band.healthy),
      at_risk: v(bandColorVar('at_risk'), FALLBACK.band.at_risk),
      critical: v(bandColorVar('critical'), FALLBACK.band.critical),
    },
  };
}

export function useChartColors(): ChartColors {
  const theme = useResolvedTheme();
  // Re-read the tokens whenever the resolved theme changes.
  return useMemo(() => (theme ? readChartColors() : FALLBACK), [theme]);
}
