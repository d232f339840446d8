/**
 * Claim verdicts: does a paper's speedup hold in the measured results?
 *
 * The rule (also stated in paper-claims.json, and printed on the report): a measurement counts for a claim
 * only when its configuration matches the claim's setup exactly and both its FFF and dense results
 * are status ok. A verdict never reads from anything else; the nearest non-matching configuration is
 * shown for orientation only. A claim not reproduced says what limits it (limit.ts).
 */
import { theoreticalSpeedup } from '../model/cost.ts';
import type { Machine, Result, ResultsFile } from '../results/schema.ts';
import { batchSweep, type BatchSweep } from './batches.ts';
import { claimLimit, type ClaimLimit } from './limit.ts';
import { claimReach, type ClaimReach } from './reach.ts';
import { formatRatio, formatThreads, treeLabel } from '../text/format.ts';
import {
  claimLayer,
  configurationDistance,
  loadClaims,
  matchesClaim,
  mismatches,
  setupText,
  type BaselineRule,
  type Claim,
  type ClaimsFile,
  type JudgingRules,
} from './claims.ts';
import { machineLabel, nonGpuAdapter, measuredComparisons, type MeasuredComparison, type MeasuredPoint, type ComparisonSide } from './measured.ts';

export type VerdictStatus = 'reproduced' | 'not-reproduced' | 'not-judged' | 'not-measured';

export interface Verdict {
  claim: Claim;
  status: VerdictStatus;
  /** Measured comparisons matching the claim's setup. */
  matchingCount: number;
  /** Of those, the ones with a dense baseline near this machine's best (the only ones judged). */
  judgedCount: number;
  /** The comparison the verdict reads (only when something was judged). */
  best?: MeasuredPoint;
  /** Not judged: the fastest matching comparison, whose `notJudgedBecause` says why, and the backends to add. */
  unjudged?: MeasuredPoint & { addBackends: string[] };
  /** claimed / best.ciHigh when not reproduced: how many times faster the best would have to be. */
  gap?: number;
  /**
   * Not reproduced: what stands in the way (the hardware, the tree's kernel, neither, or unknown);
   * not judged: only the hardware, or unknown where there are no floors (limit.ts).
   */
  limit?: ClaimLimit;
  /** Where on this machine the claimed factor is reached (or the extrapolated depth). */
  reach?: ClaimReach;
  /** Where across the measured batch sizes (the claim's setup otherwise) the speedup is largest; absent below two batch sizes. */
  batches?: BatchSweep;
  /** The claim's hardware beside this machine's, in words. */
  hardware: { claim: string; here: string };
  /** Nearest measured configuration when nothing matched, for orientation only (never judged). */
  closest?: MeasuredPoint & { differences: string[] };
  /** Best matching comparison per machine × runtime × backend. */
  perTarget: (MeasuredPoint & { reaches: boolean })[];
  /** Cases in the claim's setup that did not produce a measurement, with why. */
  notMeasuredCases: { id: string; status: Result['status']; reason: string; depth: number }[];
  /** The cost-model bound at the claim's own setup, at its shallowest and deepest depth. */
  boundAtClaim: { depth: number; theoretical: number }[];
  /** One sentence a reader can take away. */
  summary: string;
}

const side = (r: Result): ComparisonSide => ({
  backend: r.backend.name,
  threads: r.backend.threads,
  ...(r.backend.adapter ? { adapter: r.backend.adapter } : {}),
});
const percent = (share: number) => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;

/**
 * Why `m` cannot judge a claim, or undefined when it can: a dense baseline below the rule's share
 * of this machine's best (a slow dense layer inflates any speedup), no calibration to show it is
 * not, or either side on a GPU adapter not known to be a GPU (software or unidentified: fail closed).
 */
export function whyNotJudged(m: MeasuredComparison, rule: BaselineRule): string | undefined {
  for (const r of [m.fff, m.dense]) {
    const adapter = nonGpuAdapter(r.backend);
    const shown = r.backend.adapter ?? r.backend.notes;
    if (adapter === 'software') return `${r.backend.name} ran on a software GPU adapter (${shown}): a CPU emulating a GPU says nothing about GPU speed`;
    if (adapter === 'unidentified')
      return `${r.backend.name} ran on an unidentified GPU adapter (${shown}): it names no vendor, architecture, device or description, so nothing shows it is a GPU (Mesa's llvmpipe, a CPU rasteriser, looks like this through OpenGL), and no speed is judged from it`;
  }
  const floor = m.dense.roofline;
  const dense = `${m.dense.backend.name}, ${formatThreads(m.dense.backend.threads)}`;
  if (!floor)
    return `the run did not calibrate this machine (measurement.calibrate), so nothing shows that the dense baseline (${dense}) runs near this machine's best`;
  const share = 1 / floor.multiple;
  if (share >= rule.minDenseShareOfBest) return undefined;
  const limit = floor.bound === 'compute' ? 'dense GEMM throughput' : 'memory bandwidth';
  return `the dense baseline (${dense}) ran at ${percent(share)} of this machine's best ${limit} (${floor.multiple.toFixed(1)}x its roofline floor; a verdict needs at least ${percent(rule.minDenseShareOfBest)})`;
}

/** The side of `m` that ran on a GPU adapter that is not known to be a GPU (software or unidentified), if one did. */
function nonGpuSide(m: MeasuredComparison): Result | undefined {
  return [m.fff, m.dense].find((r) => nonGpuAdapter(r.backend) !== undefined);
}

/** Backends whose calibrated dense GEMM on this machine and runtime reaches the rule's share of the best. */
export function competitiveDenseBackends(machine: Machine, runtime: string, rule: BaselineRule): string[] {
  const c = machine.calibration?.[runtime];
  if (!c) return [];
  return Object.entries(c.gemmFlops)
    .filter(([, flops]) => flops >= rule.minDenseShareOfBest * c.peakFlops)
    .sort((a, b) => b[1] - a[1])
    .map(([backend]) => backend);
}

function toPoint(m: MeasuredComparison, rule: BaselineRule): MeasuredPoint {
  const { machine, comparison: c, floors } = m;
  const why = whyNotJudged(m, rule);
  return {
    machineId: machine.id,
    machineLabel: machineLabel(machine),
    startedAt: m.startedAt,
    treeId: c.treeId,
    denseId: c.denseId,
    runtime: c.runtime,
    backend: c.backend,
    shape: c.shape,
    speedup: c.speedup,
    ciLow: c.speedupCiLow,
    ciHigh: c.speedupCiHigh,
    theoretical: c.theoreticalSpeedup,
    ...(floors ? { floors } : {}),
    fff: side(m.fff),
    dense: side(m.dense),
    ...(why ? { notJudgedBecause: why } : {}),
  };
}

const x = formatRatio;
const interval = (p: MeasuredPoint) => `${x(p.speedup)} [95% CI ${x(p.ciLow)}, ${x(p.ciHigh)}]`;
const threads = formatThreads;
/** "node, depth 12: FFF on wasm (1 thread) against dense on ort-node (2 threads)" ("UltraFastBERT FFF on …" on its shapes) */
export function whereText(p: MeasuredPoint): string {
  return `${p.runtime}, depth ${p.shape.depth}: ${treeLabel(p.shape)} on ${p.fff.backend} (${threads(p.fff.threads)}) against dense on ${p.dense.backend} (${threads(p.dense.threads)})`;
}

/** Picks the comparison a verdict reads: reaching the claim first, then the highest median speedup. */
function pickBest(points: MeasuredPoint[], claimed: number): MeasuredPoint {
  const score = (p: MeasuredPoint) => [p.ciHigh >= claimed ? 1 : 0, p.speedup];
  return points.reduce((best, p) => {
    const [a1, a2] = score(p);
    const [b1, b2] = score(best);
    return a1 > b1 || (a1 === b1 && a2 > b2) ? p : best;
  });
}

export function boundAtClaim(claim: Claim): Verdict['boundAtClaim'] {
  const { from, to } = claim.match.depth;
  return [...new Set([from, to])].map((depth) => ({
    depth,
    theoretical: theoreticalSpeedup(claimLayer(claim, depth)),
  }));
}

/** This machine in words: CPU, cores, and the GPU adapters the matching results used (or none). */
function hardwareHere(files: ResultsFile[], points: MeasuredPoint[]): string {
  const machines = [...new Map(files.map((f) => [f.machine.id, f.machine])).values()];
  const ids = new Set(points.map((p) => p.machineId));
  const shown = ids.size > 0 ? machines.filter((m) => ids.has(m.id)) : machines;
  const adapters = [...new Set(points.flatMap((p) => [p.fff.adapter, p.dense.adapter]).filter((a): a is string => Boolean(a)))];
  const gpu = adapters.length > 0 ? `GPU: ${adapters.join('; ')}` : 'no GPU used (CPU backends only)';
  return `${shown.map((m) => `${m.cpuModel}, ${m.cpuCores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB`).join(' / ') || 'no machine'}; ${gpu}`;
}

let defaultRules: JudgingRules | undefined;

export function judgeClaim(claim: Claim, files: ResultsFile[], rules: JudgingRules = (defaultRules ??= loadClaims())): Verdict {
  const rule = rules.baselineRule;
  // The verdict reads the fastest FFF against the fastest dense of one runtime (any backends): a
  // backend whose own dense kernel is slow must not carry a claim. Per-backend speedups are listed.
  const measured = measuredComparisons(files, 'best');
  const bounds = boundAtClaim(claim);
  const claimed = claim.claimedSpeedup;
  const matching = measured.filter((m) => matchesClaim(claim, m.comparison.shape)).map((m) => toPoint(m, rule));
  // The claim's setup at any batch size: where across batch sizes the speedup peaks.
  const anyBatch = measured.filter((m) => matchesClaim(claim, { ...m.comparison.shape, batchSize: claim.match.batchSize })).map((m) => toPoint(m, rule));
  const batchesAround = (at: MeasuredPoint) => {
    const sweep = batchSweep(claim, anyBatch, at);
    return sweep ? { batches: sweep } : {};
  };
  const judged = matching.filter((p) => !p.notJudgedBecause);
  const perBackend = measuredComparisons(files)
    .filter((m) => matchesClaim(claim, m.comparison.shape))
    .map((m) => toPoint(m, rule));
  const notMeasuredCases = files.flatMap((f) =>
    f.results
      .filter((r) => r.status !== 'ok' && matchesClaim(claim, r.shape))
      .map((r) => ({ id: r.id, status: r.status, reason: r.reason ?? 'no reason given', depth: r.shape.depth })),
  );
  const perTargetMap = new Map<string, MeasuredPoint[]>();
  for (const p of perBackend) {
    const key = `${p.machineId}/${p.runtime}/${p.backend}`;
    perTargetMap.set(key, [...(perTargetMap.get(key) ?? []), p]);
  }
  const perTarget = [...perTargetMap.values()].map((points) => {
    const p = pickBest(points, claimed);
    return { ...p, reaches: p.ciHigh >= claimed };
  });
  const common = {
    claim,
    matchingCount: matching.length,
    judgedCount: judged.length,
    perTarget,
    notMeasuredCases,
    boundAtClaim: bounds,
    hardware: { claim: claim.claimHardware, here: hardwareHere(files, judged.length > 0 ? judged : matching) },
  };

  if (matching.length === 0) {
    const run = claim.suite ? `run the ${claim.suite} suite (fffbench run ${claim.suite})` : (claim.howToMeasure ?? 'no shipped suite measures it');
    let closest: Verdict['closest'];
    if (measured.length > 0) {
      // Smallest distance; among equally near ones, the fastest (the claims are "up to" numbers).
      const nearest = measured.reduce((a, b) => {
        const [da, db] = [configurationDistance(claim, a.comparison.shape), configurationDistance(claim, b.comparison.shape)];
        return db < da || (db === da && b.comparison.speedup > a.comparison.speedup) ? b : a;
      });
      const point = toPoint(nearest, rule);
      closest = { ...point, differences: mismatches(claim, point.shape) };
    }
    return { ...common, status: 'not-measured', closest, summary: `Not measured: no ok measurement at ${setupText(claim)}; ${run}.` };
  }

  if (judged.length === 0) {
    const fastest = matching.reduce((a, b) => (b.speedup > a.speedup ? b : a));
    const machine = files.find((f) => f.machine.id === fastest.machineId)!.machine;
    const addBackends = competitiveDenseBackends(machine, fastest.runtime, rule).filter((b) => b !== fastest.dense.backend);
    // What the floors say without a judged kernel (hardware-limited, or unknown without floors); a
    // non-GPU adapter's floors are a CPU's, so those comparisons say nothing here.
    const limit = claimLimit(
      claim,
      measured.filter((m) => matchesClaim(claim, m.comparison.shape) && !nonGpuSide(m)).map((m) => toPoint(m, rule)),
      rules,
      true,
    );
    const add =
      addBackends.length > 0
        ? `run the dense layer on ${addBackends.join(' or ')} (the backends whose dense GEMM calibrated near this machine's best on ${fastest.runtime}), e.g. fffbench run ${claim.suite ?? 'SUITE'} --backends ${[...new Set([fastest.fff.backend, ...addBackends])].join(',')}`
        : `run a suite that includes this machine's fastest dense backends (fffbench list shows them), with calibration on`;
    return {
      ...common,
      status: 'not-judged',
      unjudged: { ...fastest, addBackends },
      ...(limit ? { limit } : {}),
      ...batchesAround(fastest),
      summary: `Not judged: ${interval(fastest)} was measured (${whereText(fastest)}), but ${fastest.notJudgedBecause}; ${add}.`,
    };
  }

  const best = pickBest(judged, claimed);
  const reach = claimReach(claim, judged, best);
  const bound = best.theoretical < claimed ? ` (the cost-model bound there is only ${x(best.theoretical)})` : '';
  if (best.ciHigh >= claimed) {
    return {
      ...common,
      status: 'reproduced',
      best,
      reach,
      ...batchesAround(best),
      summary: `Reproduced: ${interval(best)} on ${whereText(best)} reaches the claimed ${x(claimed)}.`,
    };
  }
  const gap = claimed / best.ciHigh;
  return {
    ...common,
    status: 'not-reproduced',
    best,
    gap,
    limit: claimLimit(claim, judged, rules),
    reach,
    ...batchesAround(best),
    summary: `Not reproduced: the best, ${interval(best)} on ${whereText(best)}, stops ${x(gap)} short of the claimed ${x(claimed)}${bound}.`,
  };
}

export function judgeClaims(files: ResultsFile[], claims: ClaimsFile = loadClaims()): Verdict[] {
  return claims.claims.map((claim) => judgeClaim(claim, files, claims));
}
