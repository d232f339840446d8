/**
 * Turns a ChartSpec (reports/charts/spec.ts) into a chart.js config: the one piece of code that
 * draws a chart, for the server-side PNGs and for the pages alike. It runs in the browser too, so
 * it is bundled (npm run build:charts: build-chart-runtime.ts) with the number formats it uses from
 * src/text/format.ts into assets/chart-runtime.js, a function body that chart-runtime.ts inlines in
 * a page and evaluates for the PNGs. Browser-safe code only: no Node module, and nothing but types
 * from chart.js (the page and render/png.ts bring chart.js itself).
 */
import type { Chart, ChartConfiguration, ChartDataset, Plugin, Scale, TooltipItem } from 'chart.js';
import { formatTick, formatValue } from '../../src/text/format.ts';
import { fullTitle, type ChartSeries, type ChartSpec } from '../charts/spec.ts';

export { formatValue };

export interface ChartOptions {
  /** Draw the title and subtitle inside the canvas (a PNG) or not (the page has headings). */
  titles?: boolean;
  /** Size to the container (the page) or to the canvas (a PNG). */
  responsive?: boolean;
  devicePixelRatio?: number;
}

/** A dataset with each point's 95% interval, drawn as an error bar by errorBarsPlugin. */
type IntervalDataset = ChartDataset<'line' | 'bar'> & { fffIntervals?: ([number, number] | null)[]; borderColor?: string };

/** Width and batch axes double at every step: tick at powers of two (every other one when crowded). */
function powerOfTwoTicks(axis: Scale): void {
  const lo = Math.ceil(Math.log2(axis.min) - 1e-9);
  const hi = Math.floor(Math.log2(axis.max) + 1e-9);
  const step = hi - lo > 10 ? 2 : 1;
  const ticks: { value: number }[] = [];
  for (let k = lo; k <= hi; k += step) ticks.push({ value: 2 ** k });
  axis.ticks = ticks;
}

/**
 * Log axes: ticks at 1, 2 and 5 × 10^k only (just 1 × 10^k when that would crowd the axis), so
 * chart.js's auto-skipping never hides the labels a reader needs.
 */
function niceLogTicks(axis: Scale): void {
  const ticks: { value: number }[] = [];
  const lo = Math.floor(Math.log10(axis.min));
  const hi = Math.ceil(Math.log10(axis.max));
  const mantissas = hi - lo > 5 ? [1] : [1, 2, 5];
  for (let k = lo; k <= hi; k++) {
    for (const m of mantissas) {
      const v = m * 10 ** k;
      if (v >= axis.min * (1 - 1e-9) && v <= axis.max * (1 + 1e-9)) ticks.push({ value: v });
    }
  }
  axis.ticks = ticks;
}

/** Draws each measured point's 95% interval as a vertical bar with caps. */
const errorBarsPlugin: Plugin = {
  id: 'fffErrorBars',
  afterDatasetsDraw(chart: Chart) {
    const ctx = chart.ctx;
    chart.data.datasets.forEach((dataset, index) => {
      const intervals = (dataset as IntervalDataset).fffIntervals;
      if (!intervals || !chart.isDatasetVisible(index)) return;
      const meta = chart.getDatasetMeta(index);
      const yScale = chart.scales[meta.yAxisID!];
      ctx.save();
      ctx.strokeStyle =
        (dataset as { type?: string }).type === 'bar' || (chart.config as { type?: string }).type === 'bar' ? '#222222' : String(dataset.borderColor);
      ctx.lineWidth = 1.5;
      meta.data.forEach((element, j) => {
        const interval = intervals[j];
        if (!interval || (element as { skip?: boolean }).skip) return;
        const top = yScale.getPixelForValue(interval[1]);
        const bottom = yScale.getPixelForValue(interval[0]);
        const width = (element as { width?: number }).width;
        const cap = width ? Math.min(width / 4, 6) : 4;
        ctx.beginPath();
        ctx.moveTo(element.x, top);
        ctx.lineTo(element.x, bottom);
        ctx.moveTo(element.x - cap, top);
        ctx.lineTo(element.x + cap, top);
        ctx.moveTo(element.x - cap, bottom);
        ctx.lineTo(element.x + cap, bottom);
        ctx.stroke();
      });
      ctx.restore();
    });
  },
};

/** PNGs are transparent by default; the chart area is painted white so they read in dark-mode viewers. */
const whiteBackgroundPlugin: Plugin = {
  id: 'fffWhiteBackground',
  beforeDraw(chart: Chart) {
    const ctx = chart.ctx;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

function yBounds(spec: ChartSpec): { min?: number; max?: number } {
  const ys: number[] = [];
  for (const s of spec.series) {
    for (const p of s.points) {
      for (const v of [p.y, p.low, p.high]) if (typeof v === 'number' && Number.isFinite(v) && (!spec.y.log || v > 0)) ys.push(v);
    }
  }
  if (ys.length === 0) return {};
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  if (spec.y.log) return { min: lo / 1.4, max: hi * 1.4 };
  return { min: Math.min(0, lo), max: hi * 1.1 };
}

function dataset(spec: ChartSpec, series: ChartSeries): IntervalDataset {
  const isBar = spec.type === 'bar';
  const intervals = series.points.map((p): [number, number] | null => (typeof p.low === 'number' && typeof p.high === 'number' ? [p.low, p.high] : null));
  const base = {
    label: series.label,
    borderColor: series.color,
    backgroundColor: series.color,
    borderWidth: series.role === 'measured' ? 2 : 1.5,
    borderDash: series.dashed ? [6, 4] : undefined,
    pointStyle: series.pointStyle ?? (series.role === 'claim' || series.role === 'reference' ? 'line' : 'circle'),
    pointRadius: series.role === 'marker' ? 11 : series.role === 'measured' ? 3.5 : series.role === 'bound' ? 2 : 0,
    showLine: series.role !== 'marker',
    fill: false,
    tension: 0,
    order: series.role === 'marker' ? 0 : series.role === 'measured' ? 1 : 2,
  };
  if (isBar) {
    const byCategory = new Map<string | number, number>(series.points.map((p, j) => [p.x, j]));
    const categories = spec.x.categories ?? [];
    return {
      ...base,
      data: categories.map((c) => (byCategory.has(c) ? series.points[byCategory.get(c)!].y : null)),
      fffIntervals: categories.map((c) => (byCategory.has(c) ? intervals[byCategory.get(c)!] : null)),
    } as IntervalDataset;
  }
  return { ...base, data: series.points.map((p) => ({ x: p.x, y: p.y })), fffIntervals: intervals } as IntervalDataset;
}

export function buildConfig(spec: ChartSpec, options: ChartOptions = {}): ChartConfiguration {
  const isBar = spec.type === 'bar';
  // Bars always sit on categories; a line chart does when its spec lists them (e.g. one run per
  // label in the trend report), its points then naming their category as x.
  const isCategory = isBar || Array.isArray(spec.x.categories);
  const y = yBounds(spec);
  const xScale: Record<string, unknown> = {
    type: isCategory ? 'category' : spec.x.log ? 'logarithmic' : 'linear',
    title: { display: true, text: spec.x.label },
    ticks: isCategory
      ? { autoSkip: false, maxRotation: 60, minRotation: 30, font: { size: 10 } }
      : { callback: (v: number | string) => String(Number(Number(v).toPrecision(6))), ...(spec.x.log ? {} : { stepSize: 1 }) },
  };
  if (spec.x.powersOfTwo) xScale.afterBuildTicks = powerOfTwoTicks;
  else if (spec.x.log) xScale.afterBuildTicks = niceLogTicks;
  return {
    type: isBar ? 'bar' : 'line',
    data: { labels: isCategory ? spec.x.categories : undefined, datasets: spec.series.map((s) => dataset(spec, s)) },
    options: {
      animation: false,
      responsive: Boolean(options.responsive),
      maintainAspectRatio: false,
      devicePixelRatio: options.devicePixelRatio,
      parsing: isBar ? undefined : { xAxisKey: 'x', yAxisKey: 'y' },
      scales: {
        x: xScale,
        y: {
          type: spec.y.log ? 'logarithmic' : 'linear',
          min: y.min,
          max: y.max,
          title: { display: true, text: spec.y.label },
          afterBuildTicks: spec.y.log ? niceLogTicks : undefined,
          ticks: { callback: (v: number | string) => formatTick(spec.y.unit, Number(v)) },
        },
      },
      plugins: {
        // A PNG stands alone: its title names the machine (fullTitle).
        title: { display: Boolean(options.titles), text: fullTitle(spec), color: '#111111', font: { size: 15, weight: 'bold' } },
        subtitle: { display: Boolean(options.titles), text: spec.subtitle, padding: { bottom: 8 } },
        legend: { position: 'bottom', labels: { usePointStyle: true, boxWidth: 6, boxHeight: 6, color: '#222222' } },
        tooltip: {
          callbacks: {
            label(item: TooltipItem<'line' | 'bar'>) {
              const ds = item.dataset as IntervalDataset;
              const interval = ds.fffIntervals?.[item.dataIndex];
              const text = `${ds.label}: ${formatValue(spec.y.unit, item.parsed.y ?? NaN)}`;
              return interval ? `${text} [95% CI ${formatValue(spec.y.unit, interval[0])}, ${formatValue(spec.y.unit, interval[1])}]` : text;
            },
          },
        },
      },
    },
    plugins: [errorBarsPlugin, whiteBackgroundPlugin],
  } as ChartConfiguration;
}
