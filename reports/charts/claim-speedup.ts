/**
 * Each claim's chart, drawn on its card: what the verdict reads, on the axis the claim varies
 * (paper-claims.json `chartAxis`: the training width for a sweep of depths, the batch size for
 * UltraFastBERT's 78x). Per runtime: the fastest tree against the fastest dense (any backends; the
 * comparison a verdict reads, not one backend's own pair), the speedup the roofline floors allow
 * there (dense floor / tree floor), the claim's line, and a star on the comparison the verdict reads.
 */
import { claimChartAxis, matchesClaim, type Claim } from '../../src/claims/claims.ts';
import { formatRatio, treeLabel } from '../../src/text/format.ts';
import { rooflineSpeedup, type MeasuredComparison } from '../../src/claims/measured.ts';
import { shownPoint } from '../claims/phrases.ts';
import type { Verdict } from '../../src/claims/verdicts.ts';
import { CLAIM_COLOR, REFERENCE_COLOR, runtimeColor } from './colors.ts';
import type { ChartDefinition } from './definition.ts';
import type { ChartInput } from './input.ts';
import { formatFamily, groupBy, hasLine, horizontal, perMachine, slug, wantsLog } from './panels.ts';
import type { ChartGroup, ChartPoint, ChartSection, ChartSeries, ChartSpec } from './spec.ts';

export const CLAIMS_SECTION_ID = 'claims';

type Shape = MeasuredComparison['comparison']['shape'];

/** The comparisons that match the claim's setup but for the axis it is charted on. */
function onClaimAxis(claim: Claim, shape: Shape): boolean {
  return claimChartAxis(claim) === 'batchSize'
    ? matchesClaim(claim, { ...shape, batchSize: claim.match.batchSize })
    : matchesClaim(claim, { ...shape, depth: claim.match.depth.from });
}

function claimSpec(v: Verdict, ofMachine: MeasuredComparison[]): ChartSpec | undefined {
  const claim = v.claim;
  const byBatch = claimChartAxis(claim) === 'batchSize';
  const xOf = (s: Shape) => (byBatch ? s.batchSize : s.trainingWidth);
  const s0 = ofMachine[0].comparison.shape;
  const tree = treeLabel(s0);
  const series: ChartSeries[] = [];
  for (const [runtime, points] of groupBy(ofMachine, (m) => m.comparison.runtime)) {
    const sorted = [...points].sort((a, b) => xOf(a.comparison.shape) - xOf(b.comparison.shape));
    const color = runtimeColor(runtime);
    series.push({
      label: `${runtime} · fastest ${tree} vs fastest dense`,
      color,
      role: 'measured',
      pointStyle: 'rectRot',
      points: sorted.map(({ comparison: c }): ChartPoint => ({ x: xOf(c.shape), y: c.speedup, low: c.speedupCiLow, high: c.speedupCiHigh })),
    });
    const allowed = sorted.flatMap((m) => (m.floors ? [{ x: xOf(m.comparison.shape), y: rooflineSpeedup(m.floors)! }] : []));
    if (allowed.length > 0)
      series.push({
        label: `${runtime} · what the floors allow (dense floor / ${tree} floor)`,
        color,
        role: 'bound',
        dashed: true,
        pointStyle: 'triangle',
        points: allowed,
      });
  }
  if (!hasLine(series.filter((s) => s.role === 'measured'))) return undefined;
  const xs = ofMachine.map((m) => xOf(m.comparison.shape));
  const read = shownPoint(v);
  if (read && read.machineId === ofMachine[0].machine.id) {
    const what = v.best ? 'the verdict reads' : 'fastest matching, not judged';
    series.push({
      label: `${what}: ${formatRatio(read.speedup)} (${read.runtime}, ${byBatch ? `batch ${read.shape.batchSize}` : `depth ${read.shape.depth}`})`,
      color: CLAIM_COLOR,
      role: 'marker',
      pointStyle: 'star',
      points: [{ x: xOf(read.shape), y: read.speedup }],
    });
  }
  series.push(horizontal(`claim: ${claim.claimedSpeedup}x (arXiv ${claim.source.arxiv})`, claim.claimedSpeedup, xs, CLAIM_COLOR, 'claim'));
  // Break-even only where the curves come near it: elsewhere it would squash the log axis.
  if (series.some((s) => s.role !== 'claim' && s.points.some((p) => p.y <= 2))) series.push(horizontal('break-even (1x)', 1, xs, REFERENCE_COLOR, 'reference'));
  const held = byBatch ? `depth ${s0.depth}` : `batch ${s0.batchSize}`;
  return {
    id: `${CLAIMS_SECTION_ID}-${slug(claim.id)}`,
    title: `${claim.claimedSpeedup}x claim: speedup vs ${byBatch ? 'batch size' : 'training width'}: ${formatFamily(s0)}, ${held}`,
    subtitle: `Per runtime, the fastest ${tree} against the fastest dense (what the verdict reads), the speedup the roofline floors allow, and the claim; bars: 95% bootstrap interval`,
    type: 'line',
    x: byBatch
      ? { label: 'batch size', log: true, powersOfTwo: true }
      : {
          label: s0.tree === 'ufb' ? 'dense layer width 2^(d+1) − 1 (UltraFastBERT nodes)' : 'training width 2ᵈ·ℓ (= dense layer width)',
          log: true,
          powersOfTwo: s0.tree !== 'ufb',
        },
    y: { label: 'speedup (×)', log: wantsLog(series), unit: 'ratio' },
    series,
  };
}

function claimGroups(input: ChartInput): { groups: ChartGroup[]; leftOut: string[] } {
  const groups: ChartGroup[] = [];
  const leftOut: string[] = [];
  for (const v of input.verdicts) {
    const items = input.best.filter((m) => onClaimAxis(v.claim, m.comparison.shape));
    if (items.length === 0) continue;
    const group = perMachine(input, items, (ofMachine) => claimSpec(v, ofMachine));
    if (group) groups.push({ ...group, claimId: v.claim.id });
    else
      leftOut.push(
        `${v.claim.claimedSpeedup}x: its setup was measured at one ${claimChartAxis(v.claim) === 'batchSize' ? 'batch size' : 'training width'} only, so its card has no chart.`,
      );
  }
  return { groups, leftOut };
}

/** The panels of `claimId`'s chart among the report's sections (none when its setup was measured at one point of its axis). */
export function claimPanels(sections: ChartSection[], claimId: string): ChartSpec[] {
  return sections.find((s) => s.id === CLAIMS_SECTION_ID)?.groups.find((g) => g.claimId === claimId)?.panels ?? [];
}

export const claimSpeedupChart: ChartDefinition = {
  id: CLAIMS_SECTION_ID,
  title: 'The claims',
  description:
    'On each claim’s card: the fastest tree against the fastest dense of each runtime (what the verdict reads), the speedup the roofline floors allow, and the claim, on the axis the claim varies.',
  build: claimGroups,
  whenEmpty: () =>
    'No claim chart: no claim’s setup was measured at two training widths (two batch sizes for 78x); the claims suite measures them (fffbench run claims).',
};
