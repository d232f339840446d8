/**
 * What stands in the way of a claim that is not reproduced, read from the roofline floors the report
 * already prints (paper-claims.json `limitRule` says it in words; reports/claims/phrases.ts words it):
 *
 *  - hardware: the speedup the floors allow (dense floor / tree floor) is below the claim at every
 *    comparison of the claim's setup: no kernel could reach it on this machine;
 *  - unmeasured-depths: the same, but on a claim over a range of depths measured only part of the
 *    way: a deeper tree is allowed more, so the floors of the depths measured do not rule it out;
 *  - tree-kernel: the floors allow the claim, but the tree ran more than the tree rule's multiple
 *    above its floor (the dense side over its own rule is never judged, so it never gets here);
 *  - within-rules: the floors allow the claim and both kernels are within their rules, yet the
 *    claim is not reached. It happens: measured = allowed × (dense ×floor) / (tree ×floor), and each
 *    side may be up to its rule's multiple off its floor;
 *  - unknown: no floors (a run without calibration): nothing says which.
 */
import type { Claim, JudgingRules } from './claims.ts';
import { rooflineSpeedup, type Floor, type MeasuredPoint } from './measured.ts';

export type LimitKind = 'hardware' | 'unmeasured-depths' | 'tree-kernel' | 'within-rules' | 'unknown';

/** A comparison with both floors: one the limit can be read at. */
export type FlooredPoint = MeasuredPoint & { floors: { fff: Floor; dense: Floor } };

export interface ClaimLimit {
  kind: LimitKind;
  /** The comparison the limit is read at: where the floors allow the most (hardware, unmeasured-depths), else the fastest whose floors allow the claim. */
  at?: FlooredPoint;
  /** Dense floor / tree floor at `at`: the speedup this machine's limits allow there. */
  allowed?: number;
  /** The tree rule's largest multiple of its floor, and the baseline rule's for the dense side (1 / minDenseShareOfBest). */
  maxTreeMultiple: number;
  maxDenseMultiple: number;
  /** Unmeasured-depths: the deepest depth measured, short of the end of the claim's range. */
  deepestMeasured?: number;
  /** Unknown: why. */
  unknownBecause?: string;
}

const hasFloors = (p: MeasuredPoint): p is FlooredPoint => p.floors !== undefined;
const allowedAt = (p: FlooredPoint) => rooflineSpeedup(p.floors)!;

/**
 * The limit of `claim` among `points`: the judged comparisons of a claim that is not reproduced, or
 * (`notJudged`) the matching comparisons of one that is not judged, where only what needs no judged
 * kernel is said (hardware-limited, or unknown); undefined when there is nothing to say.
 */
export function claimLimit(claim: Claim, points: MeasuredPoint[], rules: JudgingRules, notJudged = false): ClaimLimit | undefined {
  const base = { maxTreeMultiple: rules.treeRule.maxFffFloorMultiple, maxDenseMultiple: 1 / rules.baselineRule.minDenseShareOfBest };
  if (points.length === 0) return undefined;
  const floored = points.filter(hasFloors);
  if (floored.length === 0) {
    return { ...base, kind: 'unknown', unknownBecause: 'the results carry no roofline floors (the run did not calibrate this machine: measurement.calibrate)' };
  }
  const claimed = claim.claimedSpeedup;
  const allowing = floored.filter((p) => allowedAt(p) >= claimed);
  if (allowing.length === 0) {
    const at = floored.reduce((a, b) => (allowedAt(b) > allowedAt(a) || (allowedAt(b) === allowedAt(a) && b.speedup > a.speedup) ? b : a));
    const deepest = Math.max(...floored.map((p) => p.shape.depth));
    if (deepest >= claim.match.depth.to) return { ...base, kind: 'hardware', at, allowed: allowedAt(at) };
    return notJudged ? undefined : { ...base, kind: 'unmeasured-depths', at, allowed: allowedAt(at), deepestMeasured: deepest };
  }
  if (notJudged) return undefined;
  const at = allowing.reduce((a, b) => (b.speedup > a.speedup ? b : a));
  const kind = at.floors.fff.multiple > base.maxTreeMultiple ? 'tree-kernel' : 'within-rules';
  return { ...base, kind, at, allowed: allowedAt(at) };
}
