/**
 * Speedup against training width, and efficiency (measured / theoretical) against it: per layer
 * family and batch size, each backend's own FFF/dense pair and the machine-level curve (fastest
 * FFF against fastest dense), with the cost-model bound, the headline claim and where each claim
 * is reached on this machine.
 */
import type { Result } from '../../src/results/schema.ts';
import { treeModelOf } from '../../src/model/shape.ts';
import { claimModel, matchesClaim } from '../../src/claims/claims.ts';
import { treeLabel } from '../../src/text/format.ts';
import type { MeasuredComparison } from '../../src/claims/measured.ts';
import { BEST_COLOR, BOUND_COLOR, CLAIM_COLOR, POINT_STYLES, REFERENCE_COLOR } from './colors.ts';
import { NO_DEPTH_SWEEP, type ChartDefinition } from './definition.ts';
import type { ChartInput } from './input.ts';
import { distinct, familyKey, groupBy, hasLine, horizontal, perMachine, wantsLog } from './panels.ts';
import type { ChartGroup, ChartPoint, ChartSeries } from './spec.ts';

type SpeedupPair = MeasuredComparison['comparison'];

const speedupPoint = (c: SpeedupPair): ChartPoint => ({ x: c.shape.trainingWidth, y: c.speedup, low: c.speedupCiLow, high: c.speedupCiHigh });
const efficiencyPoint = (c: SpeedupPair): ChartPoint => ({
  x: c.shape.trainingWidth,
  y: c.efficiency,
  low: c.speedupCiLow / c.theoreticalSpeedup,
  high: c.speedupCiHigh / c.theoreticalSpeedup,
});

/** The machine-level curve: per runtime, the fastest FFF against the fastest dense, any backends. */
function bestSeries(best: MeasuredComparison[], point: (c: SpeedupPair) => ChartPoint): ChartSeries[] {
  const leafWidths = distinct(best.map((m) => m.comparison.shape.leafWidth));
  return [...groupBy(best, (m) => `${m.comparison.runtime}·${m.comparison.shape.leafWidth}`).values()].map((points) => {
    const c0 = points[0].comparison;
    return {
      label: `${c0.runtime} · fastest ${treeLabel(c0.shape)} vs fastest dense${leafWidths.length > 1 ? ` · ℓ=${c0.shape.leafWidth}` : ''}`,
      color: BEST_COLOR,
      role: 'measured' as const,
      pointStyle: 'rectRot',
      points: points
        .map((m) => m.comparison)
        .sort((a, b) => a.shape.trainingWidth - b.shape.trainingWidth)
        .map(point),
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
      markers.push({
        label: `${claimed}x first reached here (depth ${reach.reachedAt.shape.depth}, ${reach.runtime})`,
        color: CLAIM_COLOR,
        role: 'marker',
        pointStyle: 'star',
        points: [{ x: reach.reachedAt.shape.trainingWidth, y: reach.reachedAt.speedup }],
      });
    } else if (reach.extrapolation) {
      markers.push({
        label: `${claimed}x extrapolated at depth ${reach.extrapolation.depth} (not measured)`,
        color: CLAIM_COLOR,
        role: 'marker',
        pointStyle: 'crossRot',
        points: [{ x: reach.extrapolation.trainingWidth, y: claimed }],
      });
    }
  }
  return markers;
}

/**
 * The headline claim's line: "paper: up to 220x (2308.14711 Fig. 3-4; …)", its number from
 * paper-claims.json; only on charts of the tree the claim is about (not the FFF's 220x on UltraFastBERT's).
 */
function headlineSeries(input: ChartInput, xs: number[], shape: Result['shape']): ChartSeries[] {
  const h = input.headline;
  return h?.headline && claimModel(h) === treeModelOf(shape)
    ? [horizontal(`paper: up to ${h.claimedSpeedup}x (${h.headline.note})`, h.claimedSpeedup, xs, CLAIM_COLOR, 'claim')]
    : [];
}

function widthGroups(input: ChartInput, efficiency: boolean): ChartGroup[] {
  const point = efficiency ? efficiencyPoint : speedupPoint;
  // Each backend's own pairs and the machine-level best pairs share the chart (and its axes).
  const best = new Set(input.best);
  const isBest = (m: MeasuredComparison) => best.has(m);
  const byGroup = groupBy([...input.comparisons, ...input.best], (m) => `${familyKey(m.comparison.shape)}-b${m.comparison.shape.batchSize}`);
  return [...byGroup].flatMap(([key, items]) => {
    const s0 = items[0].comparison.shape;
    const group = perMachine(input, items, (ofMachine) => {
      const leafWidths = distinct(ofMachine.map((m) => m.comparison.shape.leafWidth)).sort((a, b) => a - b);
      const series: ChartSeries[] = bestSeries(ofMachine.filter(isBest), point);
      for (const points of groupBy(
        ofMachine.filter((m) => !isBest(m)),
        (m) => `${m.comparison.runtime}·${m.comparison.backend}·${m.comparison.shape.leafWidth}`,
      ).values()) {
        const c0 = points[0].comparison;
        series.push({
          label: `${c0.runtime} · ${c0.backend}${leafWidths.length > 1 ? ` · ℓ=${c0.shape.leafWidth}` : ''}`,
          color: input.color(c0.runtime, c0.backend),
          role: 'measured',
          pointStyle: POINT_STYLES[leafWidths.indexOf(c0.shape.leafWidth) % POINT_STYLES.length],
          points: points
            .map((m) => m.comparison)
            .sort((a, b) => a.shape.trainingWidth - b.shape.trainingWidth)
            .map(point),
        });
      }
      if (!hasLine(series)) return undefined;
      const xs = ofMachine.map((m) => m.comparison.shape.trainingWidth);
      if (efficiency) {
        series.push(horizontal('the bound (100%)', 1, xs, BOUND_COLOR, 'bound'));
      } else {
        for (const l of leafWidths) {
          const bound = new Map(
            ofMachine.filter((m) => m.comparison.shape.leafWidth === l).map((m) => [m.comparison.shape.trainingWidth, m.comparison.theoreticalSpeedup]),
          );
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
        series.push(...headlineSeries(input, xs, s0));
        series.push(horizontal('break-even (1x)', 1, xs, REFERENCE_COLOR, 'reference'));
      }
      const ufb = s0.tree === 'ufb';
      const shapeText = `i=${s0.inputDim}, o=${s0.outputDim}, batch ${s0.batchSize}${s0.activation === 'relu' ? '' : `, ${s0.activation}`}${ufb ? ', UltraFastBERT' : leafWidths.length === 1 ? `, ℓ=${leafWidths[0]}` : ''}`;
      return {
        id: `${efficiency ? 'efficiency' : 'speedup-width'}-${key}`,
        title: `${efficiency ? 'Efficiency (measured / theoretical)' : 'Speedup vs training width'}: ${shapeText}`,
        subtitle: efficiency
          ? 'Share of the cost-model speedup realised; bars: 95% bootstrap interval'
          : `${treeLabel(s0)} speedup over the dense layer of the same width (t_dense / t_FFF); bars: 95% bootstrap interval`,
        type: 'line',
        x: { label: ufb ? 'dense layer width 2^(d+1) − 1 (UltraFastBERT nodes)' : 'training width 2ᵈ·ℓ (= dense layer width)', log: true, powersOfTwo: !ufb },
        y: { label: efficiency ? 'efficiency' : 'speedup (×)', log: wantsLog(series), unit: efficiency ? 'fraction' : 'ratio' },
        series,
      };
    });
    return group ? [group] : [];
  });
}

export const speedupWidthChart: ChartDefinition = {
  id: 'speedup-width',
  title: 'Speedup vs training width',
  description: (input) =>
    `The measured speedup against the cost-model bound 2^d·ℓ·(i+o) / (d·i + ℓ·(i+o))${input.headline ? ` and the paper’s ${input.headline.claimedSpeedup}x` : ''}.`,
  build: (input) => ({ groups: widthGroups(input, false) }),
  whenEmpty: () => NO_DEPTH_SWEEP,
};

export const efficiencyChart: ChartDefinition = {
  id: 'efficiency',
  title: 'Efficiency',
  description: 'Measured speedup / theoretical speedup: how much of the saved arithmetic turns into saved time.',
  build: (input) => ({ groups: widthGroups(input, true) }),
  whenEmpty: () => NO_DEPTH_SWEEP,
};
