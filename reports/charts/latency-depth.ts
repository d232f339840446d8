/** Latency against depth: absolute time per batch of the FFF (grows with d) and the dense layer (grows with 2ᵈ). */
import { NO_DEPTH_SWEEP, type ChartDefinition } from './definition.ts';
import type { ChartInput } from './input.ts';
import { familyKey, formatFamily, groupBy, hasLine, perMachine, seriesPerModel } from './panels.ts';
import type { ChartGroup } from './spec.ts';

function latencyGroups(input: ChartInput): ChartGroup[] {
  const byGroup = groupBy(input.results, (r) => `${familyKey(r.result.shape)}-l${r.result.shape.leafWidth}-b${r.result.shape.batchSize}`);
  return [...byGroup].flatMap(([key, items]) => {
    const s0 = items[0].result.shape;
    const group = perMachine(input, items, (ofMachine) => {
      const series = seriesPerModel(ofMachine, input.color, (r) => ({ x: r.shape.depth, y: r.stats!.median, low: r.stats!.ciLow, high: r.stats!.ciHigh }));
      if (!hasLine(series)) return undefined;
      return {
        id: `latency-depth-${key}`,
        title: `Latency vs depth: ${formatFamily(s0)}, batch ${s0.batchSize}`,
        subtitle: 'Median time per batch; FFF solid (grows with d), dense dashed (grows with 2ᵈ); bars: 95% interval of the median',
        type: 'line',
        x: { label: 'depth d', log: false },
        y: { label: 'time per batch', log: true, unit: 'ns' },
        series,
      };
    });
    return group ? [group] : [];
  });
}

export const latencyDepthChart: ChartDefinition = {
  id: 'latency-depth',
  title: 'Latency vs depth',
  description: 'Absolute time per batch for the FFF and the dense layer of the same training width.',
  build: (input) => ({ groups: latencyGroups(input) }),
  whenEmpty: () => NO_DEPTH_SWEEP,
};
