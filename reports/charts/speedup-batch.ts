/**
 * Speedup against batch size: the FFF gathers scattered leaf weights per sample while the dense
 * layer becomes a GEMM, so the speedup depends on the batch. Per family (i, o, ℓ), the shallowest and
 * the deepest tree with a batch sweep are charted; the tables have the rest. Each backend's own pair,
 * and per runtime the fastest tree against the fastest dense (the pair the claim verdicts read).
 */
import type { Result } from '../../src/results/schema.ts';
import { treeLabel } from '../../src/text/format.ts';
import { BEST_COLOR, BOUND_COLOR, REFERENCE_COLOR } from './colors.ts';
import type { ChartDefinition } from './definition.ts';
import type { ChartInput } from './input.ts';
import type { MeasuredComparison } from '../../src/claims/measured.ts';
import { distinct, familyKey, formatFamily, groupBy, hasLine, horizontal, perMachine, wantsLog } from './panels.ts';
import type { ChartGroup, ChartSeries } from './spec.ts';

const shapeKeyNoBatch = (s: Result['shape']) => `${familyKey(s)}-l${s.leafWidth}-d${s.depth}`;

function batchGroups(input: ChartInput): { groups: ChartGroup[]; leftOut: string[] } {
  const groups: ChartGroup[] = [];
  const leftOut: string[] = [];
  const withSweep = [...groupBy(input.comparisons, (m) => shapeKeyNoBatch(m.comparison.shape))].filter(
    ([, items]) => distinct(items.map((m) => m.comparison.shape.batchSize)).length >= 2,
  );
  for (const [, family] of groupBy(withSweep, ([, items]) => `${familyKey(items[0].comparison.shape)}-l${items[0].comparison.shape.leafWidth}`)) {
    const depths = family.map(([, items]) => items[0].comparison.shape.depth).sort((a, b) => a - b);
    const keep = new Set([depths[0], depths[depths.length - 1]]);
    if (depths.length > 2)
      leftOut.push(
        `batch sweeps at depths ${depths.filter((d) => !keep.has(d)).join(', ')} of ${formatFamily(family[0][1][0].comparison.shape)} are in the tables only`,
      );
    for (const [key, items] of family.filter(([, items]) => keep.has(items[0].comparison.shape.depth))) {
      const s0 = items[0].comparison.shape;
      const best = new Set(input.best.filter((m) => shapeKeyNoBatch(m.comparison.shape) === key));
      const group = perMachine(input, [...items, ...best], (ofMachine) => {
        const line = (points: MeasuredComparison[]) =>
          points
            .map((m) => m.comparison)
            .sort((a, b) => a.shape.batchSize - b.shape.batchSize)
            .map((c) => ({ x: c.shape.batchSize, y: c.speedup, low: c.speedupCiLow, high: c.speedupCiHigh }));
        const series: ChartSeries[] = [
          ...groupBy(
            ofMachine.filter((m) => best.has(m)),
            (m) => m.comparison.runtime,
          ).values(),
        ].map((points) => ({
          label: `${points[0].comparison.runtime} · fastest ${treeLabel(s0)} vs fastest dense`,
          color: BEST_COLOR,
          role: 'measured' as const,
          pointStyle: 'rectRot',
          points: line(points),
        }));
        for (const points of groupBy(
          ofMachine.filter((m) => !best.has(m)),
          (m) => `${m.comparison.runtime}·${m.comparison.backend}`,
        ).values()) {
          series.push({
            label: `${points[0].comparison.runtime} · ${points[0].comparison.backend}`,
            color: input.color(points[0].comparison.runtime, points[0].comparison.backend),
            role: 'measured',
            points: line(points),
          });
        }
        if (!hasLine(series)) return undefined;
        const xs = ofMachine.map((m) => m.comparison.shape.batchSize);
        series.push(horizontal('theoretical bound (MACs)', ofMachine[0].comparison.theoreticalSpeedup, xs, BOUND_COLOR, 'bound'));
        series.push(horizontal('break-even (1x)', 1, xs, REFERENCE_COLOR, 'reference'));
        return {
          id: `speedup-batch-${key}`,
          title: `Speedup vs batch size: ${formatFamily(s0)}, depth ${s0.depth} (width ${s0.trainingWidth})`,
          subtitle: 'Where the speedup collapses as the dense layer becomes a compute-bound GEMM; bars: 95% bootstrap interval',
          type: 'line',
          x: { label: 'batch size', log: true, powersOfTwo: true },
          y: { label: 'speedup (×)', log: wantsLog(series), unit: 'ratio' },
          series,
        };
      });
      if (group) groups.push(group);
    }
  }
  return { groups, leftOut };
}

export const speedupBatchChart: ChartDefinition = {
  id: 'speedup-batch',
  title: 'Speedup vs batch size',
  description: 'The FFF gathers scattered leaf weights per sample while the dense layer becomes a GEMM: the speedup depends on the batch.',
  build: batchGroups,
  whenEmpty: () => 'No chart: every configuration was measured at a single batch size; run the batch-sweep suite (fffbench run batch-sweep).',
};
