/** Distance to the roofline: each kernel's median as a multiple of its roofline floor, per backend and model, against depth. */
import { BOUND_COLOR } from './colors.ts';
import { NO_DEPTH_SWEEP, type ChartDefinition } from './definition.ts';
import type { ChartInput } from './input.ts';
import { familyKey, formatFamily, groupBy, hasLine, horizontal, perMachine, seriesPerModel } from './panels.ts';
import type { ChartGroup } from './spec.ts';

function rooflineGroups(input: ChartInput): { groups: ChartGroup[]; leftOut: string[] } {
  const groups: ChartGroup[] = [];
  const leftOut: string[] = [];
  const withFloor = input.results.filter((r) => r.result.roofline);
  const byGroup = groupBy(withFloor, (r) => `${familyKey(r.result.shape)}-l${r.result.shape.leafWidth}-b${r.result.shape.batchSize}`);
  for (const [key, items] of byGroup) {
    const s0 = items[0].result.shape;
    const group = perMachine(input, items, (ofMachine) => {
      const series = seriesPerModel(ofMachine, input.color, (r) => {
        const floor = r.roofline!.floorNs;
        return { x: r.shape.depth, y: r.roofline!.multiple, low: r.stats!.ciLow / floor, high: r.stats!.ciHigh / floor };
      });
      if (!hasLine(series)) return undefined;
      series.push(
        horizontal(
          'the floor (1x): as fast as the machine allows',
          1,
          ofMachine.map((r) => r.result.shape.depth),
          BOUND_COLOR,
          'bound',
        ),
      );
      return {
        id: `roofline-depth-${key}`,
        title: `Distance to the roofline: ${formatFamily(s0)}, batch ${s0.batchSize}`,
        subtitle: 'Median / max(FLOPs / peak, bytes / bandwidth); FFF solid, dense dashed; bars: 95% interval of the median',
        type: 'line',
        x: { label: 'depth d (training width 2ᵈ·ℓ)', log: false },
        y: { label: 'median / roofline floor (×)', log: true, unit: 'ratio' },
        series,
      };
    });
    if (group) groups.push(group);
    else leftOut.push(`${formatFamily(s0)}, batch ${s0.batchSize}: one depth only, its multiples are in the tables.`);
  }
  // With no chart at all, "no depth sweep" says it once; a line per family would repeat it.
  return { groups, leftOut: groups.length > 0 ? leftOut : [] };
}

export const rooflineChart: ChartDefinition = {
  id: 'roofline',
  title: 'Distance to the roofline',
  description:
    'Each kernel’s median as a multiple of its roofline floor, the least time this machine’s calibrated bandwidth and peak GEMM throughput allow (1x = at the limit). A speedup is only meaningful when both kernels run near their floors.',
  build: rooflineGroups,
  whenEmpty: (input) =>
    input.results.some((r) => r.result.roofline)
      ? NO_DEPTH_SWEEP
      : 'No chart: these results files carry no roofline floors (the run did not calibrate the machine, or the file predates calibration); run with measurement.calibrate (the default).',
};
