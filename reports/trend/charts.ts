/**
 * The trend report's charts as ChartSpecs (drawn to PNG and on the page by the same chart runtime
 * as the main report). A suite has hundreds of cases, so a chart per case would bury the few that
 * moved: each runtime · backend · model gets one chart with a line per shape, every line divided
 * by that case's median in the first run shown (1x = unchanged), and each case that is currently
 * moved gets a chart of its own in absolute time. The x axis is one category per run (date and
 * short commit). Marks: red triangles for gated regressions, orange for regressions that were not
 * gated, green diamonds for improvements, grey crosses on runs whose machine state changed.
 */
import type { ChartPoint, ChartSeries, ChartSpec } from '../charts/spec.ts';
import { formatShape } from '../../src/text/format.ts';
import type { Trend, TrendCase, TrendMark } from './model.ts';

export interface TrendCharts {
  /** One chart per case that moved and stayed moved, in absolute time with its 95% interval. */
  moved: ChartSpec[];
  /** One chart per runtime · backend · model, each case normalised to its first run. */
  groups: ChartSpec[];
}

/** Line colours with no red or green in them: those mean regression and improvement here. */
const LINE_COLORS = ['#1f77b4', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f', '#393b79', '#637939'];
const LINE_STYLES = ['circle', 'rect', 'triangle', 'rectRot'];
const MARK = {
  regression: { label: 'regression', color: '#d62728', pointStyle: 'triangle' },
  notGated: { label: 'regression, not gated (too few runs before it)', color: '#e8a317', pointStyle: 'triangle' },
  improvement: { label: 'improvement', color: '#1e8e3e', pointStyle: 'rectRot' },
  machineState: { label: 'machine state changed (run not judged)', color: '#555555', pointStyle: 'crossRot' },
};

const slug = (s: string) =>
  s
    .replace(/[^a-zA-Z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();

/** Chart ids unique across the machines and suites of one report. */
export function trendSlug(trend: Trend): string {
  return `${slug(trend.suite)}-${slug(trend.machine.id).slice(0, 12)}`;
}

type Scale = (value: number) => number;

/** The case's line, its values passed through `scale` (identity, or division by the first median). */
function caseLine(trend: Trend, c: TrendCase, scale: Scale, label: string, index: number): ChartSeries {
  const points: ChartPoint[] = [];
  c.points.forEach((p, j) => {
    if (p) points.push({ x: trend.runs[j].label, y: scale(p.median), low: scale(p.ciLow), high: scale(p.ciHigh) });
  });
  return {
    label,
    color: LINE_COLORS[index % LINE_COLORS.length],
    role: 'measured',
    pointStyle: LINE_STYLES[Math.floor(index / LINE_COLORS.length) % LINE_STYLES.length],
    points,
  };
}

/** Marker series (only the kinds that occur) at the marked runs of `cases`. */
function markSeries(trend: Trend, cases: TrendCase[], scale: (c: TrendCase) => Scale): ChartSeries[] {
  const at = (c: TrendCase, runIndex: number): ChartPoint[] => {
    const p = c.points[runIndex];
    return p ? [{ x: trend.runs[runIndex].label, y: scale(c)(p.median) }] : [];
  };
  const kind = (m: TrendMark) => (m.outcome === 'improvement' ? MARK.improvement : m.gated ? MARK.regression : MARK.notGated);
  const series = new Map<string, ChartSeries>();
  const add = (style: (typeof MARK)[keyof typeof MARK], points: ChartPoint[]) => {
    if (points.length === 0) return;
    const s = series.get(style.label) ?? { ...style, role: 'marker' as const, points: [] };
    s.points.push(...points);
    series.set(style.label, s);
  };
  for (const c of cases) for (const m of c.marks) add(kind(m), at(c, m.runIndex));
  trend.runs.forEach((run, j) => {
    if (run.machineStateChanged) for (const c of cases) add(MARK.machineState, at(c, j));
  });
  return [...series.values()];
}

function firstMedian(c: TrendCase): number {
  return c.points.find((p) => p !== undefined)!.median;
}

function groupChart(trend: Trend, group: string, cases: TrendCase[]): ChartSpec {
  const normalise = (c: TrendCase): Scale => {
    const first = firstMedian(c);
    return (v) => v / first;
  };
  const labels = trend.runs.map((r) => r.label);
  const series: ChartSeries[] = [
    ...markSeries(trend, cases, normalise),
    ...cases.map((c, k) => caseLine(trend, c, normalise(c), formatShape(c.shape), k)),
    {
      label: 'first run (1x)',
      color: '#999999',
      role: 'reference',
      dashed: true,
      points: [
        { x: labels[0], y: 1 },
        { x: labels[labels.length - 1], y: 1 },
      ],
    },
  ];
  return {
    id: `trend-${trendSlug(trend)}-group-${slug(group)}`,
    title: `${group}: ${cases.length} case${cases.length === 1 ? '' : 's'}, median relative to the first run`,
    subtitle: 'Each line is one shape, divided by its median in the first run shown; bars: 95% interval of the median',
    type: 'line',
    x: { label: 'run (date, commit)', log: false, categories: labels },
    y: { label: 'median / first run’s median (×)', log: false, unit: 'ratio' },
    series,
  };
}

function movedChart(trend: Trend, c: TrendCase, baselineMedian: number): ChartSpec {
  const labels = trend.runs.map((r) => r.label);
  const same: Scale = (v) => v;
  return {
    id: `trend-${trendSlug(trend)}-moved-${slug(c.key)}`,
    title: `${c.label}`,
    subtitle: 'Median time per batch; bars: its 95% interval; dashed: the baseline median before the move',
    type: 'line',
    x: { label: 'run (date, commit)', log: false, categories: labels },
    y: { label: 'median time per batch', log: false, unit: 'ns' },
    series: [
      ...markSeries(trend, [c], () => same),
      caseLine(trend, c, same, 'median [95% CI]', 0),
      {
        label: 'baseline before the move',
        color: '#999999',
        role: 'reference',
        dashed: true,
        points: [
          { x: labels[0], y: baselineMedian },
          { x: labels[labels.length - 1], y: baselineMedian },
        ],
      },
    ],
  };
}

export function trendCharts(trend: Trend): TrendCharts {
  const byKey = new Map(trend.cases.map((c) => [c.key, c]));
  const moved = trend.moved.map((m) => movedChart(trend, byKey.get(m.key)!, m.since.baselineMedian));
  const groups = new Map<string, TrendCase[]>();
  for (const c of trend.cases) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  return { moved, groups: [...groups].map(([group, cases]) => groupChart(trend, group, cases)) };
}
