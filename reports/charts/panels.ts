/**
 * Building blocks the charts share: grouping items, one panel per machine, reference lines, log
 * axes when the values call for one, and the FFF/dense lines of the per-depth charts.
 */
import type { Machine, Result } from '../../src/results/schema.ts';
import { MODEL_LABEL } from '../../src/text/format.ts';
import { machineLabel } from '../../src/claims/measured.ts';
import type { ChartInput, MeasuredResult } from './input.ts';
import type { ChartGroup, ChartPoint, ChartSeries, ChartSpec } from './spec.ts';

export function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}

export const distinct = <T>(xs: T[]) => [...new Set(xs)];
export const slug = (s: string) =>
  s
    .replace(/[^a-zA-Z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();

type Shape = Result['shape'];

/**
 * The part of a chart id that names the layer family: "i768-o768-relu", "-ufb" appended for
 * UltraFastBERT shapes (their own charts: their dense width is 2^(d+1) − 1, not 2^d·ℓ).
 */
export const familyKey = (s: Shape) => `i${s.inputDim}-o${s.outputDim}-${s.activation}${s.tree === 'ufb' ? '-ufb' : ''}`;

/** "i=768, o=768, ℓ=32" (and the activation when it is not ReLU; "UltraFastBERT" for its shapes): a family in a chart title. */
export function formatFamily(s: Shape): string {
  return `i=${s.inputDim}, o=${s.outputDim}, ℓ=${s.leafWidth}${s.activation === 'relu' ? '' : `, ${s.activation}`}${s.tree === 'ufb' ? ', UltraFastBERT' : ''}`;
}

/** Log scale when the values span more than a factor of ten. */
export function wantsLog(series: ChartSeries[]): boolean {
  const ys = series.flatMap((s) => s.points.flatMap((p) => [p.y, p.low ?? p.y, p.high ?? p.y])).filter((y) => y > 0);
  return ys.length > 0 && Math.max(...ys) / Math.min(...ys) > 10;
}

/** A dashed horizontal line across the chart's x range: a bound, a claim, break-even. */
export function horizontal(label: string, y: number, xs: number[], color: string, role: ChartSeries['role']): ChartSeries {
  return {
    label,
    color,
    role,
    dashed: true,
    points: [
      { x: Math.min(...xs), y },
      { x: Math.max(...xs), y },
    ],
  };
}

/** A chart with at least one line to draw (two points); a chart of lone points says nothing a table does not. */
export const hasLine = (series: ChartSeries[]) => series.some((s) => s.points.length >= 2);

/**
 * A chart group: `build` makes the chart from one machine's items (undefined when they do not
 * support it); with several machines in the report, each gets its panel, its machine named in the
 * panel's `machine` and its id. Undefined when no machine's items make a chart.
 */
export function perMachine<T extends { machine: Machine }>(
  input: ChartInput,
  items: T[],
  build: (ofMachine: T[]) => ChartSpec | undefined,
): ChartGroup | undefined {
  const several = input.machines.length > 1;
  const panels = [...groupBy(items, (i) => i.machine.id).values()].flatMap((ofMachine) => {
    const spec = build(ofMachine);
    if (!spec) return [];
    const machine = ofMachine[0].machine;
    return [several ? { ...spec, id: `${spec.id}-${slug(machine.id)}`, machine: machineLabel(machine) } : spec];
  });
  return panels.length > 0 ? { title: panels[0].title, panels } : undefined;
}

/** One line per runtime × backend × model (tree solid circles, dense dashed squares), points by depth. */
export function seriesPerModel(items: MeasuredResult[], color: ChartInput['color'], point: (r: Result) => ChartPoint): ChartSeries[] {
  return [...groupBy(items, (r) => `${r.result.runtime.name}·${r.result.backend.name}·${r.result.model}`).values()]
    .map((points) => {
      const r0 = points[0].result;
      return {
        label: `${MODEL_LABEL[r0.model]} · ${r0.runtime.name} · ${r0.backend.name}`,
        color: color(r0.runtime.name, r0.backend.name),
        role: 'measured' as const,
        dashed: r0.model === 'dense',
        pointStyle: r0.model === 'dense' ? 'rect' : 'circle',
        points: points
          .map((r) => r.result)
          .sort((a, b) => a.shape.depth - b.shape.depth)
          .map(point),
      };
    })
    .sort((a, b) => a.label.localeCompare(b.label));
}
