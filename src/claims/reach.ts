/**
 * Where on this machine a claimed speedup is reached: the shallowest depth (smallest training
 * width) whose 95% interval reaches it; where none does, the largest measured speedup and, labelled
 * as an extrapolation, the depth that the deep-end trend predicts.
 *
 * The trend: at large depth the dense time doubles per level while the FFF's barely moves, so
 * log(speedup) grows about linearly in depth. A least-squares line through the deepest
 * EXTRAPOLATION_POINTS judged depths, solved for the claimed factor, gives the predicted depth.
 */
import type { Claim } from './claims.ts';
import { trainingWidth } from '../model/shape.ts';
import { formatRatio, formatRatioInterval, treeLabel } from '../text/format.ts';
import type { MeasuredPoint } from './measured.ts';

/** Depths the deep-end fit uses (the deepest ones measured). */
export const EXTRAPOLATION_POINTS = 3;

export interface Extrapolation {
  /** The first whole depth at which the fitted trend reaches the claim. */
  depth: number;
  trainingWidth: number;
  /** Depths the line was fitted through. */
  fitDepths: number[];
  /** Fitted growth of the speedup per level of depth, e.g. 1.9 (×). */
  factorPerLevel: number;
  /** The predicted depth lies beyond the claim's own depth range. */
  beyondClaimRange: boolean;
}

export interface ClaimReach {
  machineId: string;
  runtime: string;
  /** The shallowest judged comparison whose interval reaches the claim. */
  reachedAt?: MeasuredPoint;
  /** When nothing reaches: the largest measured speedup. */
  largest?: MeasuredPoint;
  extrapolation?: Extrapolation;
  /** When nothing reaches and no extrapolation is made: why not. */
  noExtrapolation?: string;
  /** One sentence for the card. */
  text: string;
}

const x = formatRatio;
const width = (p: MeasuredPoint) => p.shape.trainingWidth.toLocaleString('en-US');

/** Least-squares slope and intercept of y on x. */
function fitLine(xs: number[], ys: number[]): { slope: number; intercept: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let k = 0; k < n; k++) {
    sxy += (xs[k] - mx) * (ys[k] - my);
    sxx += (xs[k] - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { slope, intercept: my - slope * mx };
}

/**
 * Reach of `claim` among `judged` comparisons, on the machine and runtime of `best` (the one the
 * verdict reads): one machine's curve, never points of several machines mixed.
 */
export function claimReach(claim: Claim, judged: MeasuredPoint[], best: MeasuredPoint): ClaimReach {
  const claimed = claim.claimedSpeedup;
  const curve = judged
    .filter((p) => p.machineId === best.machineId && p.runtime === best.runtime)
    .sort((a, b) => a.shape.depth - b.shape.depth || b.speedup - a.speedup);
  const base = { machineId: best.machineId, runtime: best.runtime };
  const reachedAt = curve.find((p) => p.ciHigh >= claimed);
  if (reachedAt) {
    return {
      ...base,
      reachedAt,
      text: `Reached on ${best.runtime} from depth ${reachedAt.shape.depth} (training width ${width(reachedAt)}): ${formatRatioInterval(reachedAt.speedup, reachedAt.ciLow, reachedAt.ciHigh)} with the ${treeLabel(reachedAt.shape)} on ${reachedAt.fff.backend} against the dense layer on ${reachedAt.dense.backend}.`,
    };
  }
  const largest = curve.reduce((a, b) => (b.speedup > a.speedup ? b : a));
  const head = `Not reached at any measured depth on ${best.runtime}; the largest is ${formatRatioInterval(largest.speedup, largest.ciLow, largest.ciHigh)} at depth ${largest.shape.depth} (training width ${width(largest)}).`;
  // One point per depth (the fastest), the deepest few.
  const perDepth = [...new Map(curve.map((p) => [p.shape.depth, p])).values()].slice(-EXTRAPOLATION_POINTS);
  let noExtrapolation: string | undefined;
  if (claim.match.depth.from === claim.match.depth.to)
    noExtrapolation = `the claim names a single depth (${claim.match.depth.from}), so there is no trend in depth to follow`;
  else if (perDepth.length < 2) noExtrapolation = 'only one depth was judged: measure at least two depths for a trend';
  if (noExtrapolation) return { ...base, largest, noExtrapolation, text: `${head} No extrapolation: ${noExtrapolation}.` };

  const fitDepths = perDepth.map((p) => p.shape.depth);
  const { slope, intercept } = fitLine(
    fitDepths,
    perDepth.map((p) => Math.log(p.speedup)),
  );
  if (!(slope > 0)) {
    noExtrapolation = `the speedup does not grow over depths ${fitDepths.join(', ')}`;
    return { ...base, largest, noExtrapolation, text: `${head} No extrapolation: ${noExtrapolation}.` };
  }
  const depth = Math.max(largest.shape.depth + 1, Math.ceil((Math.log(claimed) - intercept) / slope));
  const extrapolation: Extrapolation = {
    depth,
    trainingWidth: trainingWidth({ ...largest.shape, depth }),
    fitDepths,
    factorPerLevel: Math.exp(slope),
    beyondClaimRange: depth > claim.match.depth.to,
  };
  const range = extrapolation.beyondClaimRange ? `, beyond the claim's depths (up to ${claim.match.depth.to})` : '';
  return {
    ...base,
    largest,
    extrapolation,
    text: `${head} Extrapolation, not a measurement: the deep-end trend (×${extrapolation.factorPerLevel.toFixed(2)} per level over depths ${fitDepths.join(', ')}) reaches ${x(claimed)} at depth ${depth} (training width ${extrapolation.trainingWidth.toLocaleString('en-US')})${range}.`,
  };
}
