/**
 * What to chart, as plain data (ChartSpec): the same specs are drawn to PNG on the server and by
 * chart.js in the pages (reports/render/chart-config.ts, bundled into assets/chart-runtime.js,
 * turns a spec into a chart.js config).
 */
import type { ValueUnit } from '../../src/text/format.ts';

/** What the y values are: formatted by src/text/format.ts's formatValue (tooltips) and formatTick (axis). */
export type Unit = ValueUnit;

export interface ChartPoint {
  x: number | string;
  y: number;
  /** Ends of the 95% interval, drawn as an error bar. */
  low?: number;
  high?: number;
}

export interface ChartSeries {
  label: string;
  color: string;
  /**
   * measured: data with error bars; bound: the cost model; claim: a paper's number; reference: e.g.
   * break-even; marker: single highlighted points (where a claim is reached), drawn without a line.
   */
  role: 'measured' | 'bound' | 'claim' | 'reference' | 'marker';
  dashed?: boolean;
  pointStyle?: string;
  points: ChartPoint[];
}

export interface ChartSpec {
  id: string;
  /** What the chart shows, without the machine (a group's panels share it). */
  title: string;
  /** The machine that measured it, when the report holds several (the page's caption; the PNG's title adds it). */
  machine?: string;
  subtitle: string;
  type: 'line' | 'bar';
  /** categories: the labels of a bar chart, or of a line chart on a category axis (its points' x name one). */
  x: { label: string; log: boolean; powersOfTwo?: boolean; categories?: string[] };
  y: { label: string; log: boolean; unit: Unit };
  series: ChartSeries[];
}

/** "Latency vs depth: … — Intel Xeon · 2 cores · 1a2b": a chart named where it stands alone (a PNG, a link). */
export function fullTitle(spec: ChartSpec): string {
  return spec.machine ? `${spec.title} — ${spec.machine}` : spec.title;
}

/** One chart, drawn once per machine that measured it (side by side on the page). */
export interface ChartGroup {
  title: string;
  panels: ChartSpec[];
  /** A claim's chart: the claim (paper-claims.json id) whose card draws it. */
  claimId?: string;
}

/** A section of the report's charts: one entry of the chart registry (charts/registry.ts), built. */
export interface ChartSection {
  id: string;
  title: string;
  description: string;
  groups: ChartGroup[];
  /** Why there is no chart (or why some are left out), naming what to run. */
  missing: string[];
}
