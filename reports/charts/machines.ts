/**
 * Machines compared: the same configurations on every machine, one series per machine on shared
 * axes (the per-machine panels of the other sections stay as they are). Each machine is read
 * through its fastest FFF against its fastest dense layer of one runtime, the pair the claim
 * verdicts read: the speedup against training width, the two latencies against depth, and each
 * one's distance to that machine's own roofline. Shown only for results from two or more machines;
 * the section's tables come from reports/machines/compared.ts.
 */
import type { Machine, Result } from '../../src/results/schema.ts';
import { treeLabel } from '../../src/text/format.ts';
import { bestPerShape } from '../machines/ratios.ts';
import { machineLabel, type MeasuredComparison } from '../../src/claims/measured.ts';
import { BOUND_COLOR, machineColorMap, REFERENCE_COLOR } from './colors.ts';
import type { ChartDefinition } from './definition.ts';
import type { ChartInput } from './input.ts';
import { distinct, familyKey, formatFamily, groupBy, hasLine, horizontal, wantsLog } from './panels.ts';
import type { ChartGroup, ChartPoint, ChartSeries, ChartSpec } from './spec.ts';

export const MACHINES_SECTION_ID = 'machines';

/** The machines in the order their series are drawn: the baseline first, then report order. */
function machineOrder(input: ChartInput): Machine[] {
  const baseline = input.machines.find((m) => m.id === input.baselineMachineId) ?? input.machines[0];
  return [baseline, ...input.machines.filter((m) => m !== baseline)];
}

/** One best comparison per machine, runtime and shape (the last file wins), grouped into one chart per runtime, family, leaf width and batch. */
function chartGroups(input: ChartInput): Map<string, MeasuredComparison[]> {
  const deduped = [...bestPerShape(input.best).values()].flatMap((ofShape) => [...ofShape.values()]);
  return groupBy(deduped, (m) => {
    const s = m.comparison.shape;
    return `${m.comparison.runtime}-${familyKey(s)}-l${s.leafWidth}-b${s.batchSize}`;
  });
}

interface Series {
  /** Both sides of each machine, or the comparison itself. */
  label: (machine: string) => string;
  point: (m: MeasuredComparison) => ChartPoint | undefined;
  dashed?: boolean;
  pointStyle: string;
}

/** One series per machine (and side), points sorted by x; only machines with a point. */
function seriesPerMachine(items: MeasuredComparison[], order: Machine[], color: (id: string) => string, kinds: Series[]): ChartSeries[] {
  const byMachine = groupBy(items, (m) => m.machine.id);
  return order.flatMap((machine) =>
    kinds.flatMap((kind) => {
      const points = (byMachine.get(machine.id) ?? []).flatMap((m) => kind.point(m) ?? []).sort((a, b) => Number(a.x) - Number(b.x));
      if (points.length === 0) return [];
      return [
        {
          label: kind.label(machineLabel(machine)),
          color: color(machine.id),
          role: 'measured' as const,
          dashed: kind.dashed,
          pointStyle: kind.pointStyle,
          points,
        },
      ];
    }),
  );
}

/** A chart only where two machines or more drew a line: a lone machine's curve is already in its own panel. */
const comparesMachines = (series: ChartSeries[]) =>
  distinct(series.filter((s) => s.role === 'measured' && s.points.length >= 2).map((s) => s.color)).length >= 2;

const timePoint =
  (side: 'fff' | 'dense') =>
  (m: MeasuredComparison): ChartPoint => {
    const r: Result = m[side];
    return { x: r.shape.depth, y: r.stats!.median, low: r.stats!.ciLow, high: r.stats!.ciHigh };
  };

const rooflinePoint =
  (side: 'fff' | 'dense') =>
  (m: MeasuredComparison): ChartPoint | undefined => {
    const r: Result = m[side];
    if (!r.roofline) return undefined;
    return { x: r.shape.depth, y: r.roofline.multiple, low: r.stats!.ciLow / r.roofline.floorNs, high: r.stats!.ciHigh / r.roofline.floorNs };
  };

/** The tree side (named `tree`: "FFF" or "UltraFastBERT FFF") and the dense side of each machine. */
const FFF_AND_DENSE = (point: (side: 'fff' | 'dense') => Series['point'], tree: string): Series[] => [
  { label: (machine) => `${tree} · ${machine}`, point: point('fff'), pointStyle: 'circle' },
  { label: (machine) => `dense · ${machine}`, point: point('dense'), dashed: true, pointStyle: 'rect' },
];

function machineGroups(input: ChartInput): ChartGroup[] {
  const order = machineOrder(input);
  const color = machineColorMap(order.map((m) => m.id));
  const speedups: ChartSpec[] = [];
  const latencies: ChartSpec[] = [];
  const rooflines: ChartSpec[] = [];
  for (const [key, items] of chartGroups(input)) {
    const c0 = items[0].comparison;
    const s0 = c0.shape;
    const where = `${c0.runtime}, ${formatFamily(s0)}, batch ${s0.batchSize}`;

    const speedup = seriesPerMachine(items, order, color, [
      {
        label: (machine) => machine,
        point: (m) => ({ x: m.comparison.shape.trainingWidth, y: m.comparison.speedup, low: m.comparison.speedupCiLow, high: m.comparison.speedupCiHigh }),
        pointStyle: 'rectRot',
      },
    ]);
    if (comparesMachines(speedup)) {
      const xs = items.map((m) => m.comparison.shape.trainingWidth);
      const bound = new Map(items.map((m) => [m.comparison.shape.trainingWidth, m.comparison.theoreticalSpeedup]));
      speedup.push({
        label: 'theoretical bound (MACs)',
        color: BOUND_COLOR,
        role: 'bound',
        dashed: true,
        points: [...bound].sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x, y })),
      });
      speedup.push(horizontal('break-even (1x)', 1, xs, REFERENCE_COLOR, 'reference'));
      speedups.push({
        id: `machines-speedup-width-${key}`,
        title: `Speedup vs training width, by machine: ${where}`,
        subtitle: 'Fastest FFF against fastest dense of the runtime on each machine (any backends); one colour per machine; bars: 95% bootstrap interval',
        type: 'line',
        x: { label: 'training width 2ᵈ·ℓ (= dense layer width)', log: true, powersOfTwo: true },
        y: { label: 'speedup (×)', log: wantsLog(speedup), unit: 'ratio' },
        series: speedup,
      });
    }

    const latency = seriesPerMachine(items, order, color, FFF_AND_DENSE(timePoint, treeLabel(s0)));
    if (comparesMachines(latency)) {
      latencies.push({
        id: `machines-latency-depth-${key}`,
        title: `Latency vs depth, by machine: ${where}`,
        subtitle:
          'Median time per batch of each machine’s fastest FFF (solid) and fastest dense layer (dashed); one colour per machine; bars: 95% interval of the median',
        type: 'line',
        x: { label: 'depth d', log: false },
        y: { label: 'time per batch', log: true, unit: 'ns' },
        series: latency,
      });
    }

    const roofline = seriesPerMachine(items, order, color, FFF_AND_DENSE(rooflinePoint, treeLabel(s0)));
    if (comparesMachines(roofline) && hasLine(roofline)) {
      roofline.push(
        horizontal(
          'the floor (1x): as fast as that machine allows',
          1,
          items.map((m) => m.comparison.shape.depth),
          BOUND_COLOR,
          'bound',
        ),
      );
      rooflines.push({
        id: `machines-roofline-${key}`,
        title: `Distance to each machine’s roofline: ${where}`,
        subtitle: 'Median / that machine’s own floor, max(FLOPs / its peak, bytes / its bandwidth); FFF solid, dense dashed; one colour per machine',
        type: 'line',
        x: { label: 'depth d (training width 2ᵈ·ℓ)', log: false },
        y: { label: 'median / roofline floor (×)', log: true, unit: 'ratio' },
        series: roofline,
      });
    }
  }
  // One panel per group: the machines share the panel, so a group is one chart.
  return [...speedups, ...latencies, ...rooflines].map((spec) => ({ title: spec.title, panels: [spec] }));
}

export const machinesChart: ChartDefinition = {
  id: MACHINES_SECTION_ID,
  title: 'Machines compared',
  description: (input) =>
    `${input.machines.length} machines, one colour each on shared axes, each read through its fastest FFF against its fastest dense layer of one runtime (the pair the claim verdicts read). Ratios are against the baseline, ${machineLabel(machineOrder(input)[0])}. The FFF reads a leaf’s weights per sample (memory-bound) while the dense layer at large batch is a compute-bound GEMM, so a machine with more read bandwidth per FLOP should gain more from the FFF; the sentences below test that against the data.`,
  build: (input) => ({ groups: machineGroups(input) }),
  whenEmpty: () => 'No chart: no runtime measured two depths of one shape and batch on two machines; the tables below compare what both measured.',
  onlyWhen: (input) => input.machines.length >= 2,
};
