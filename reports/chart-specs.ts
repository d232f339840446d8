/**
 * What to chart, as plain data (ChartSpec): the same specs are drawn to PNG on the server and by
 * chart.js in the HTML page (reports/assets/chart-runtime.js turns a spec into a chart.js config).
 * Only charts the data supports are made; each section says what is missing otherwise.
 */
import type { Machine, Result, ResultsFile } from '../src/results/schema.ts';
import { formatShape } from './format.ts';
import { matchesClaim } from './claims.ts';
import { machineLabel, measuredComparisons, type MeasuredComparison } from './measured.ts';
import type { Verdict } from './verdicts.ts';

export type Unit = 'ratio' | 'ns' | 'fraction';

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
  title: string;
  subtitle: string;
  type: 'line' | 'bar';
  /** categories: the labels of a bar chart, or of a line chart on a category axis (its points' x name one). */
  x: { label: string; log: boolean; powersOfTwo?: boolean; categories?: string[] };
  y: { label: string; log: boolean; unit: Unit };
  series: ChartSeries[];
}

/** One chart, drawn once per machine that measured it (side by side on the page). */
export interface ChartGroup {
  title: string;
  panels: ChartSpec[];
}

export interface ChartSection {
  id: 'speedup-width' | 'speedup-batch' | 'latency-depth' | 'efficiency' | 'roofline' | 'runtimes';
  title: string;
  description: string;
  groups: ChartGroup[];
  /** Why there is no chart (or why some are left out), naming what to run. */
  missing: string[];
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
const POINT_STYLES = ['circle', 'triangle', 'rect', 'rectRot', 'star', 'crossRot'];
const BOUND_COLOR = '#555555';
const CLAIM_COLOR = '#c0392b';
const REFERENCE_COLOR = '#999999';
/** The paper's headline (arXiv 2308.14711, Figures 3-4), drawn on the speedup-vs-width charts. */
export const PAPER_HEADLINE = { speedup: 220, label: 'paper: up to 220x (2308.14711 Fig. 3-4; A100, i=o=768, ℓ=32)' };

export interface MeasuredResult {
  machine: Machine;
  result: Result;
}

/** Everything measured, deduplicated: when several files hold the same case on one machine, the last file wins. */
export interface ChartInput {
  machines: Machine[];
  comparisons: MeasuredComparison[];
  /** Per runtime and shape: the fastest FFF against the fastest dense (the machine's speedup). */
  best: MeasuredComparison[];
  /** The claim verdicts, for marking where each claim is reached. */
  verdicts: Verdict[];
  results: MeasuredResult[];
}

const familyKey = (s: Result['shape']) => `i${s.inputDim}-o${s.outputDim}-${s.activation}`;

export function chartInput(files: ResultsFile[], verdicts: Verdict[] = []): ChartInput {
  const machines = new Map<string, Machine>();
  const comparisons = new Map<string, MeasuredComparison>();
  const results = new Map<string, MeasuredResult>();
  for (const file of files) machines.set(file.machine.id, file.machine);
  for (const m of measuredComparisons(files)) comparisons.set(`${m.machine.id}/${m.comparison.fffId}`, m);
  for (const file of files) {
    for (const result of file.results) {
      if (result.status === 'ok' && result.stats) results.set(`${file.machine.id}/${result.id}`, { machine: file.machine, result });
    }
  }
  const best = new Map(measuredComparisons(files, 'best').map((m) => [`${m.machine.id}/${m.comparison.fffId}/${m.comparison.denseId}`, m]));
  return { machines: [...machines.values()], comparisons: [...comparisons.values()], best: [...best.values()], results: [...results.values()], verdicts };
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}

const distinct = <T>(xs: T[]) => [...new Set(xs)];
const slug = (s: string) => s.replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();

/** Stable colors: one per runtime · backend across every chart of the report. */
function colorMap(input: ChartInput): (runtime: string, backend: string) => string {
  const keys = distinct(input.comparisons.map((m) => `${m.comparison.runtime}·${m.comparison.backend}`).concat(input.results.map((r) => `${r.result.runtime.name}·${r.result.backend.name}`))).sort();
  return (runtime, backend) => PALETTE[Math.max(0, keys.indexOf(`${runtime}·${backend}`)) % PALETTE.length];
}

/** Log scale when the values span more than a factor of ten. */
function wantsLog(series: ChartSeries[]): boolean {
  const ys = series.flatMap((s) => s.points.flatMap((p) => [p.y, p.low ?? p.y, p.high ?? p.y])).filter((y) => y > 0);
  return ys.length > 0 && Math.max(...ys) / Math.min(...ys) > 10;
}

function horizontal(label: string, y: number, xs: number[], color: string, role: ChartSeries['role']): ChartSeries {
  return { label, color, role, dashed: true, points: [{ x: Math.min(...xs), y }, { x: Math.max(...xs), y }] };
}

/** Panels for one chart group: one per machine that has data, titled with the machine when there are several. */
function perMachine<T extends { machine: Machine }>(
  input: ChartInput,
  items: T[],
  build: (items: T[], machineSuffix: string, idSuffix: string) => ChartSpec | undefined,
): ChartSpec[] {
  const several = input.machines.length > 1;
  return [...groupBy(items, (i) => i.machine.id).values()]
    .map((ofMachine) => build(ofMachine, several ? ` — ${machineLabel(ofMachine[0].machine)}` : '', several ? `-${slug(ofMachine[0].machine.id)}` : ''))
    .filter((s): s is ChartSpec => s !== undefined);
}


/** The machine-level curve: per runtime, the fastest FFF against the fastest dense, any backends. */
function bestSeries(best: MeasuredComparison[], efficiency: boolean): ChartSeries[] {
  const leafWidths = distinct(best.map((m) => m.comparison.shape.leafWidth));
  return [...groupBy(best, (m) => `${m.comparison.runtime}·${m.comparison.shape.leafWidth}`).values()].map((points) => {
    const c0 = points[0].comparison;
    return {
      label: `${c0.runtime} · fastest FFF vs fastest dense${leafWidths.length > 1 ? ` · ℓ=${c0.shape.leafWidth}` : ''}`,
      color: '#000000',
      role: 'measured' as const,
      pointStyle: 'rectRot',
      points: points
        .map((m) => m.comparison)
        .sort((a, b) => a.shape.trainingWidth - b.shape.trainingWidth)
        .map((c) =>
          efficiency
            ? { x: c.shape.trainingWidth, y: c.efficiency, low: c.speedupCiLow / c.theoreticalSpeedup, high: c.speedupCiHigh / c.theoreticalSpeedup }
            : { x: c.shape.trainingWidth, y: c.speedup, low: c.speedupCiLow, high: c.speedupCiHigh },
        ),
    };
  });
}

/** Where each claim whose setup this chart shows is reached on this machine (or extrapolated to be). */
function claimMarkers(input: ChartInput, machineId: string, shape: Result['shape']): ChartSeries[] {
  const markers: ChartSeries[] = [];
  for (const v of input.verdicts) {
    const reach = v.reach;
    if (!reach || reach.machineId !== machineId || !matchesClaim(v.claim, { ...shape, depth: v.claim.match.depth.from })) continue;
    const claimed = v.claim.claimedSpeedup;
    if (reach.reachedAt) {
      markers.push({ label: `${claimed}x first reached here (depth ${reach.reachedAt.shape.depth}, ${reach.runtime})`, color: CLAIM_COLOR, role: 'marker', pointStyle: 'star', points: [{ x: reach.reachedAt.shape.trainingWidth, y: reach.reachedAt.speedup }] });
    } else if (reach.extrapolation) {
      markers.push({ label: `${claimed}x extrapolated at depth ${reach.extrapolation.depth} (not measured)`, color: CLAIM_COLOR, role: 'marker', pointStyle: 'crossRot', points: [{ x: reach.extrapolation.trainingWidth, y: claimed }] });
    }
  }
  return markers;
}

function speedupVsWidth(input: ChartInput, color: ReturnType<typeof colorMap>, efficiency: boolean): ChartGroup[] {
  const groups: ChartGroup[] = [];
  // Each backend's own pairs and the machine-level best pairs share the chart (and its axes).
  const best = new Set(input.best);
  const isBest = (m: MeasuredComparison) => best.has(m);
  const byGroup = groupBy([...input.comparisons, ...input.best], (m) => `${familyKey(m.comparison.shape)}-b${m.comparison.shape.batchSize}`);
  for (const [key, items] of byGroup) {
    const s0 = items[0].comparison.shape;
    const panels = perMachine(input, items, (ofMachine, machineSuffix, idSuffix) => {
      const leafWidths = distinct(ofMachine.map((m) => m.comparison.shape.leafWidth)).sort((a, b) => a - b);
      const series: ChartSeries[] = bestSeries(ofMachine.filter(isBest), efficiency);
      for (const points of groupBy(ofMachine.filter((m) => !isBest(m)), (m) => `${m.comparison.runtime}·${m.comparison.backend}·${m.comparison.shape.leafWidth}`).values()) {
        const c0 = points[0].comparison;
        const sorted = points.map((m) => m.comparison).sort((a, b) => a.shape.trainingWidth - b.shape.trainingWidth);
        series.push({
          label: `${c0.runtime} · ${c0.backend}${leafWidths.length > 1 ? ` · ℓ=${c0.shape.leafWidth}` : ''}`,
          color: color(c0.runtime, c0.backend),
          role: 'measured',
          pointStyle: POINT_STYLES[leafWidths.indexOf(c0.shape.leafWidth) % POINT_STYLES.length],
          points: sorted.map((c) =>
            efficiency
              ? { x: c.shape.trainingWidth, y: c.efficiency, low: c.speedupCiLow / c.theoreticalSpeedup, high: c.speedupCiHigh / c.theoreticalSpeedup }
              : { x: c.shape.trainingWidth, y: c.speedup, low: c.speedupCiLow, high: c.speedupCiHigh },
          ),
        });
      }
      if (!series.some((s) => s.points.length >= 2)) return undefined;
      const xs = ofMachine.map((m) => m.comparison.shape.trainingWidth);
      if (efficiency) {
        series.push(horizontal('the bound (100%)', 1, xs, BOUND_COLOR, 'bound'));
      } else {
        for (const l of leafWidths) {
          const bound = new Map(ofMachine.filter((m) => m.comparison.shape.leafWidth === l).map((m) => [m.comparison.shape.trainingWidth, m.comparison.theoreticalSpeedup]));
          series.push({
            label: `theoretical bound (MACs)${leafWidths.length > 1 ? ` ℓ=${l}` : ''}`,
            color: BOUND_COLOR,
            role: 'bound',
            dashed: true,
            pointStyle: POINT_STYLES[leafWidths.indexOf(l) % POINT_STYLES.length],
            points: [...bound].sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x, y })),
          });
        }
        series.push(...claimMarkers(input, ofMachine[0].machine.id, s0));
        series.push(horizontal(PAPER_HEADLINE.label, PAPER_HEADLINE.speedup, xs, CLAIM_COLOR, 'claim'));
        series.push(horizontal('break-even (1x)', 1, xs, REFERENCE_COLOR, 'reference'));
      }
      const shapeText = `i=${s0.inputDim}, o=${s0.outputDim}, batch ${s0.batchSize}${s0.activation === 'relu' ? '' : `, ${s0.activation}`}${leafWidths.length === 1 ? `, ℓ=${leafWidths[0]}` : ''}`;
      return {
        id: `${efficiency ? 'efficiency' : 'speedup-width'}-${key}${idSuffix}`,
        title: `${efficiency ? 'Efficiency (measured / theoretical)' : 'Speedup vs training width'}: ${shapeText}${machineSuffix}`,
        subtitle: efficiency
          ? 'Share of the cost-model speedup realised; bars: 95% bootstrap interval'
          : 'FFF speedup over the dense layer of the same width (t_dense / t_FFF); bars: 95% bootstrap interval',
        type: 'line',
        x: { label: 'training width 2ᵈ·ℓ (= dense layer width)', log: true, powersOfTwo: true },
        y: { label: efficiency ? 'efficiency' : 'speedup (×)', log: wantsLog(series), unit: efficiency ? 'fraction' : 'ratio' },
        series,
      };
    });
    if (panels.length > 0) groups.push({ title: panels[0].title.replace(/ — .*$/, ''), panels });
  }
  return groups;
}

function speedupVsBatch(input: ChartInput, color: ReturnType<typeof colorMap>): { groups: ChartGroup[]; leftOut: string[] } {
  const groups: ChartGroup[] = [];
  const leftOut: string[] = [];
  const shapeKeyNoBatch = (s: Result['shape']) => `${familyKey(s)}-l${s.leafWidth}-d${s.depth}`;
  const withSweep = [...groupBy(input.comparisons, (m) => shapeKeyNoBatch(m.comparison.shape))].filter(
    ([, items]) => distinct(items.map((m) => m.comparison.shape.batchSize)).length >= 2,
  );
  // Per family (i, o, ℓ), chart the shallowest and the deepest tree with a batch sweep; the tables have the rest.
  for (const [, family] of groupBy(withSweep, ([, items]) => `${familyKey(items[0].comparison.shape)}-l${items[0].comparison.shape.leafWidth}`)) {
    const depths = family.map(([, items]) => items[0].comparison.shape.depth).sort((a, b) => a - b);
    const keep = new Set([depths[0], depths[depths.length - 1]]);
    if (depths.length > 2) leftOut.push(`batch sweeps at depths ${depths.filter((d) => !keep.has(d)).join(', ')} of ${formatFamily(family[0][1][0].comparison.shape)} are in the tables only`);
    for (const [key, items] of family.filter(([, items]) => keep.has(items[0].comparison.shape.depth))) {
      const s0 = items[0].comparison.shape;
      const panels = perMachine(input, items, (ofMachine, machineSuffix, idSuffix) => {
        const series: ChartSeries[] = [...groupBy(ofMachine, (m) => `${m.comparison.runtime}·${m.comparison.backend}`).values()].map((points) => ({
          label: `${points[0].comparison.runtime} · ${points[0].comparison.backend}`,
          color: color(points[0].comparison.runtime, points[0].comparison.backend),
          role: 'measured' as const,
          points: points
            .map((m) => m.comparison)
            .sort((a, b) => a.shape.batchSize - b.shape.batchSize)
            .map((c) => ({ x: c.shape.batchSize, y: c.speedup, low: c.speedupCiLow, high: c.speedupCiHigh })),
        }));
        if (!series.some((s) => s.points.length >= 2)) return undefined;
        const xs = ofMachine.map((m) => m.comparison.shape.batchSize);
        series.push(horizontal('theoretical bound (MACs)', ofMachine[0].comparison.theoreticalSpeedup, xs, BOUND_COLOR, 'bound'));
        series.push(horizontal('break-even (1x)', 1, xs, REFERENCE_COLOR, 'reference'));
        return {
          id: `speedup-batch-${key}${idSuffix}`,
          title: `Speedup vs batch size: ${formatFamily(s0)}, depth ${s0.depth} (width ${s0.trainingWidth})${machineSuffix}`,
          subtitle: 'Where the speedup collapses as the dense layer becomes a compute-bound GEMM; bars: 95% bootstrap interval',
          type: 'line',
          x: { label: 'batch size', log: true, powersOfTwo: true },
          y: { label: 'speedup (×)', log: wantsLog(series), unit: 'ratio' },
          series,
        };
      });
      if (panels.length > 0) groups.push({ title: panels[0].title.replace(/ — .*$/, ''), panels });
    }
  }
  return { groups, leftOut };
}

function formatFamily(s: Result['shape']): string {
  return `i=${s.inputDim}, o=${s.outputDim}, ℓ=${s.leafWidth}${s.activation === 'relu' ? '' : `, ${s.activation}`}`;
}

/** One line per runtime × backend × model (FFF solid circles, dense dashed squares), points by depth. */
function seriesPerModel(items: MeasuredResult[], color: ReturnType<typeof colorMap>, point: (r: Result) => ChartPoint): ChartSeries[] {
  return [...groupBy(items, (r) => `${r.result.runtime.name}·${r.result.backend.name}·${r.result.model}`).values()]
    .map((points) => {
      const r0 = points[0].result;
      return {
        label: `${r0.model === 'fff' ? 'FFF' : 'dense'} · ${r0.runtime.name} · ${r0.backend.name}`,
        color: color(r0.runtime.name, r0.backend.name),
        role: 'measured' as const,
        dashed: r0.model === 'dense',
        pointStyle: r0.model === 'fff' ? 'circle' : 'rect',
        points: points
          .map((r) => r.result)
          .sort((a, b) => a.shape.depth - b.shape.depth)
          .map(point),
      };
    })
    .sort((a, b) => a.label.localeCompare(b.label));
}

function latencyVsDepth(input: ChartInput, color: ReturnType<typeof colorMap>): ChartGroup[] {
  const groups: ChartGroup[] = [];
  const byGroup = groupBy(input.results, (r) => `${familyKey(r.result.shape)}-l${r.result.shape.leafWidth}-b${r.result.shape.batchSize}`);
  for (const [key, items] of byGroup) {
    const s0 = items[0].result.shape;
    const panels = perMachine(input, items, (ofMachine, machineSuffix, idSuffix) => {
      const series = seriesPerModel(ofMachine, color, (r) => ({ x: r.shape.depth, y: r.stats!.median, low: r.stats!.ciLow, high: r.stats!.ciHigh }));
      if (!series.some((s) => s.points.length >= 2)) return undefined;
      return {
        id: `latency-depth-${key}${idSuffix}`,
        title: `Latency vs depth: ${formatFamily(s0)}, batch ${s0.batchSize}${machineSuffix}`,
        subtitle: 'Median time per batch; FFF solid (grows with d), dense dashed (grows with 2ᵈ); bars: 95% interval of the median',
        type: 'line',
        x: { label: 'depth d', log: false },
        y: { label: 'time per batch', log: true, unit: 'ns' },
        series,
      };
    });
    if (panels.length > 0) groups.push({ title: panels[0].title.replace(/ — .*$/, ''), panels });
  }
  return groups;
}

/** Median / roofline floor per backend and model vs depth: how far each kernel is from what the machine allows. */
function distanceToRoofline(input: ChartInput, color: ReturnType<typeof colorMap>): { groups: ChartGroup[]; leftOut: string[] } {
  const groups: ChartGroup[] = [];
  const leftOut: string[] = [];
  const withFloor = input.results.filter((r) => r.result.roofline);
  const byGroup = groupBy(withFloor, (r) => `${familyKey(r.result.shape)}-l${r.result.shape.leafWidth}-b${r.result.shape.batchSize}`);
  for (const [key, items] of byGroup) {
    const s0 = items[0].result.shape;
    const panels = perMachine(input, items, (ofMachine, machineSuffix, idSuffix) => {
      const series = seriesPerModel(ofMachine, color, (r) => {
        const floor = r.roofline!.floorNs;
        return { x: r.shape.depth, y: r.roofline!.multiple, low: r.stats!.ciLow / floor, high: r.stats!.ciHigh / floor };
      });
      if (!series.some((s) => s.points.length >= 2)) return undefined;
      series.push(horizontal('the floor (1x): as fast as the machine allows', 1, ofMachine.map((r) => r.result.shape.depth), BOUND_COLOR, 'bound'));
      return {
        id: `roofline-depth-${key}${idSuffix}`,
        title: `Distance to the roofline: ${formatFamily(s0)}, batch ${s0.batchSize}${machineSuffix}`,
        subtitle: 'Median / max(FLOPs / peak, bytes / bandwidth); FFF solid, dense dashed; bars: 95% interval of the median',
        type: 'line',
        x: { label: 'depth d (training width 2ᵈ·ℓ)', log: false },
        y: { label: 'median / roofline floor (×)', log: true, unit: 'ratio' },
        series,
      };
    });
    if (panels.length > 0) groups.push({ title: panels[0].title.replace(/ — .*$/, ''), panels });
    else leftOut.push(`${formatFamily(s0)}, batch ${s0.batchSize}: one depth only, its multiples are in the tables.`);
  }
  return { groups, leftOut };
}

function acrossRuntimes(input: ChartInput): ChartGroup[] {
  const groups: ChartGroup[] = [];
  const runtimeColor = (runtime: string) => ({ node: '#3c873a', deno: '#222222', bun: '#d97706' })[runtime] ?? '#1f77b4';
  for (const [backend, items] of groupBy(input.comparisons, (m) => m.comparison.backend)) {
    const panels = perMachine(input, items, (ofMachine, machineSuffix, idSuffix) => {
      const runtimes = distinct(ofMachine.map((m) => m.comparison.runtime)).sort();
      if (runtimes.length < 2) return undefined;
      const byShape = groupBy(ofMachine, (m) => formatShape(m.comparison.shape));
      const categories = [...byShape].filter(([, ms]) => distinct(ms.map((m) => m.comparison.runtime)).length >= 2).map(([label]) => label);
      if (categories.length === 0) return undefined;
      const series: ChartSeries[] = runtimes.map((runtime) => ({
        label: runtime,
        color: runtimeColor(runtime),
        role: 'measured' as const,
        points: categories.flatMap((label) => {
          const c = byShape.get(label)!.find((m) => m.comparison.runtime === runtime)?.comparison;
          return c ? [{ x: label, y: c.speedup, low: c.speedupCiLow, high: c.speedupCiHigh }] : [];
        }),
      }));
      return {
        id: `runtimes-${slug(backend)}${idSuffix}`,
        title: `Backend ${backend} across runtimes${machineSuffix}`,
        subtitle: 'FFF speedup over dense per configuration, one bar per runtime; bars: 95% bootstrap interval',
        type: 'bar',
        x: { label: 'configuration', log: false, categories },
        y: { label: 'speedup (×)', log: wantsLog(series), unit: 'ratio' },
        series,
      };
    });
    if (panels.length > 0) groups.push({ title: `Backend ${backend} across runtimes`, panels });
  }
  return groups;
}

export function buildChartSections(files: ResultsFile[], verdicts: Verdict[] = []): ChartSection[] {
  const input = chartInput(files, verdicts);
  const color = colorMap(input);
  const runtimes = distinct(input.comparisons.map((m) => m.comparison.runtime));
  const batch = speedupVsBatch(input, color);
  const roofline = distanceToRoofline(input, color);
  const noDepthSweep = 'no runtime · backend measured two depths of the same shape and batch: run a depth sweep (e.g. the quick or paper-fig3 suite)';
  const sections: ChartSection[] = [
    { id: 'speedup-width', title: 'Speedup vs training width', description: 'The measured speedup against the cost-model bound 2^d·ℓ·(i+o) / (d·i + ℓ·(i+o)) and the paper’s 220x.', groups: speedupVsWidth(input, color, false), missing: [] },
    { id: 'speedup-batch', title: 'Speedup vs batch size', description: 'The FFF gathers scattered leaf weights per sample while the dense layer becomes a GEMM: the speedup depends on the batch.', groups: batch.groups, missing: batch.leftOut },
    { id: 'latency-depth', title: 'Latency vs depth', description: 'Absolute time per batch for the FFF and the dense layer of the same training width.', groups: latencyVsDepth(input, color), missing: [] },
    { id: 'efficiency', title: 'Efficiency', description: 'Measured speedup / theoretical speedup: how much of the saved arithmetic turns into saved time.', groups: speedupVsWidth(input, color, true), missing: [] },
    {
      id: 'roofline',
      title: 'Distance to the roofline',
      description: 'Each kernel’s median as a multiple of its roofline floor, the least time this machine’s calibrated bandwidth and peak GEMM throughput allow (1x = at the limit). A speedup is only meaningful when both kernels run near their floors.',
      groups: roofline.groups,
      missing: roofline.groups.length > 0 ? roofline.leftOut : [],
    },
    { id: 'runtimes', title: 'Runtimes compared', description: 'The same backend on node, deno and bun.', groups: acrossRuntimes(input), missing: [] },
  ];
  const empty: Record<ChartSection['id'], string> = {
    'speedup-width': `No chart: ${noDepthSweep}.`,
    'speedup-batch': 'No chart: every configuration was measured at a single batch size; run the batch-sweep suite (fffbench run batch-sweep).',
    'latency-depth': `No chart: ${noDepthSweep}.`,
    efficiency: `No chart: ${noDepthSweep}.`,
    roofline: input.results.some((r) => r.result.roofline)
      ? `No chart: ${noDepthSweep}.`
      : 'No chart: these results files carry no roofline floors (the run did not calibrate the machine, or the file predates calibration); run with measurement.calibrate (the default).',
    runtimes:
      runtimes.length < 2
        ? `No chart: only ${runtimes.join(', ') || 'no runtime'} measured; run with --runtimes node,deno,bun to compare.`
        : 'No chart: no configuration was measured on two runtimes with the same backend.',
  };
  for (const section of sections) if (section.groups.length === 0) section.missing.unshift(empty[section.id]);
  return sections;
}
