/**
 * Statistics for timing samples. Distribution-free where it matters: timing distributions are
 * skewed and heavy-tailed, so the median carries the result and its interval comes from order
 * statistics (no normality assumption); the speedup's interval comes from a seeded bootstrap of
 * the ratio of medians.
 */
import type { z } from 'zod';
import { Rng } from '../model/rng.ts';
import type { StatsSchema } from './schema.ts';

/** Summary statistics of one case's timing samples (fields: schema.ts). */
export type SampleStats = z.infer<typeof StatsSchema>;

/** Coverage of every interval reported, in percent: the median's and the speedup's. */
export const CONFIDENCE_PERCENT = 95;
/** The standard normal quantile at (100 + CONFIDENCE_PERCENT) / 200 (1.96 for 95%). */
export const Z_CONFIDENCE = 1.959963984540054;
/** Resamples of the speedup's percentile bootstrap. */
export const BOOTSTRAP_RESAMPLES = 1000;

/** Linear-interpolated quantile of an ascending array. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const at = (n - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** P(X ≤ k) for X ~ Binomial(n, ½), computed in log space so large n does not underflow. */
function binomialHalfCdf(n: number, k: number): number {
  let logC = 0; // log C(n, 0)
  let total = 0;
  const logHalfN = -n * Math.LN2;
  for (let j = 0; j <= k; j++) {
    if (j > 0) logC += Math.log((n - j + 1) / j);
    total += Math.exp(logC + logHalfN);
  }
  return total;
}

/**
 * Ranks (1-based) [j, n − j + 1] of the order statistics that bound the median with at least
 * CONFIDENCE_PERCENT coverage: the largest j with 2·P(Binom(n, ½) ≤ j − 1) ≤ 1 − confidence.
 * With fewer than 6 samples no pair reaches 95%, and the interval is [min, max].
 */
export function medianCiRanks(n: number): [number, number] {
  const alpha = 1 - CONFIDENCE_PERCENT / 100;
  if (n > 1000) {
    // normal approximation to the binomial, exact enough here and O(1)
    const half = (Z_CONFIDENCE * Math.sqrt(n)) / 2;
    const j = Math.max(1, Math.floor(n / 2 - half));
    return [j, n - j + 1];
  }
  let j = 1;
  while (j + 1 <= n / 2 && 2 * binomialHalfCdf(n, j) <= alpha) j++;
  return [j, n - j + 1];
}

export function summarize(samplesNs: number[]): SampleStats {
  const sorted = [...samplesNs].sort((a, b) => a - b);
  const n = sorted.length;
  const [lo, hi] = medianCiRanks(n);
  const mean = sorted.reduce((a, v) => a + v, 0) / n;
  return {
    unit: 'ns',
    samples: sorted,
    min: sorted[0],
    p25: quantileSorted(sorted, 0.25),
    median: quantileSorted(sorted, 0.5),
    p75: quantileSorted(sorted, 0.75),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[n - 1],
    mean,
    ciLow: sorted[lo - 1],
    ciHigh: sorted[hi - 1],
    n,
  };
}

/** The median of `xs` (the linear-interpolated 0.5 quantile, as summarize's), leaving `xs` as it is: the one median of the project. */
export function median(xs: ArrayLike<number>): number {
  return quantileSorted(Float64Array.from(xs).sort(), 0.5);
}

/**
 * Ratio of medians (numerator / denominator) with a CONFIDENCE_PERCENT percentile-bootstrap interval:
 * both sample sets are resampled independently, `resamples` times, from a fixed seed so the
 * same samples always give the same interval.
 */
export function ratioOfMedians(
  numerator: number[],
  denominator: number[],
  resamples = BOOTSTRAP_RESAMPLES,
  seed = 1,
): { ratio: number; ciLow: number; ciHigh: number } {
  const ratio = median(numerator) / median(denominator);
  const rng = new Rng(seed);
  const ratios = new Float64Array(resamples);
  const a = new Float64Array(numerator.length);
  const b = new Float64Array(denominator.length);
  for (let r = 0; r < resamples; r++) {
    for (let k = 0; k < a.length; k++) a[k] = numerator[(rng.next() * numerator.length) | 0];
    for (let k = 0; k < b.length; k++) b[k] = denominator[(rng.next() * denominator.length) | 0];
    ratios[r] = median(a) / median(b);
  }
  ratios.sort();
  // (100 ∓ 95) / 200 are exactly 0.025 and 0.975
  return { ratio, ciLow: quantileSorted(ratios, (100 - CONFIDENCE_PERCENT) / 200), ciHigh: quantileSorted(ratios, (100 + CONFIDENCE_PERCENT) / 200) };
}

/** Standard normal CDF (Abramowitz & Stegun 26.2.17 via erf-free rational form, |error| < 7.5e-8). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const d = 0.3989422804014327 * Math.exp((-z * z) / 2);
  const tail = d * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return z >= 0 ? 1 - tail : tail;
}

/** Samples a side up to which, without ties, mannWhitneyU counts U's exact distribution. */
export const MANN_WHITNEY_EXACT_MAX = 25;

/**
 * P(U ≤ u) under "one distribution" for sample sizes n1, n2 without ties: the share of the
 * C(n1 + n2, n1) orderings whose U is at most u, counted by the recurrence
 * N(n1, n2, u) = N(n1 − 1, n2, u − n2) + N(n1, n2 − 1, u) (Mann & Whitney 1947).
 */
export function mannWhitneyExactCdf(n1: number, n2: number, u: number): number {
  const maxU = n1 * n2;
  if (u < 0) return 0;
  if (u >= maxU) return 1;
  // counts[j][v]: orderings of j samples of a and m samples of b with U = v, for m = 0, 1, …, n2
  // (with m = 0 every ordering has U = 0)
  let counts: Float64Array[] = Array.from({ length: n1 + 1 }, () => {
    const row = new Float64Array(maxU + 1);
    row[0] = 1;
    return row;
  });
  for (let m = 1; m <= n2; m++) {
    const next = Array.from({ length: n1 + 1 }, () => new Float64Array(maxU + 1));
    next[0][0] = 1;
    for (let j = 1; j <= n1; j++) {
      for (let v = 0; v <= j * m; v++) next[j][v] = (v >= m ? next[j - 1][v - m] : 0) + counts[j][v];
    }
    counts = next;
  }
  let below = 0;
  let total = 0;
  for (let v = 0; v <= maxU; v++) {
    total += counts[n1][v];
    if (v <= u) below += counts[n1][v];
  }
  return below / total;
}

/**
 * Two-sided Mann–Whitney U test of "a and b come from one distribution". Without ties and with at
 * most MANN_WHITNEY_EXACT_MAX samples a side, p comes from U's exact distribution (z is then the
 * normal approximation's, for display); otherwise from the normal approximation with tie
 * correction and continuity correction.
 */
export function mannWhitneyU(a: number[], b: number[]): { u: number; z: number; p: number } {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { u: NaN, z: NaN, p: 1 };
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const n = all.length;
  let rankSumA = 0;
  let tieTerm = 0;
  for (let k = 0; k < n; ) {
    let j = k;
    while (j + 1 < n && all[j + 1].v === all[k].v) j++;
    const rank = (k + j) / 2 + 1; // average rank of the tie group, 1-based
    const size = j - k + 1;
    tieTerm += size ** 3 - size;
    for (let m = k; m <= j; m++) if (all[m].g === 0) rankSumA += rank;
    k = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, z: 0, p: 1 };
  const z = Math.max(0, (Math.abs(u - mean) - 0.5) / Math.sqrt(variance));
  if (tieTerm === 0 && n1 <= MANN_WHITNEY_EXACT_MAX && n2 <= MANN_WHITNEY_EXACT_MAX) {
    // U's distribution is symmetric about n1·n2/2: the two-sided p is twice the nearer tail
    const nearer = Math.min(u, n1 * n2 - u);
    return { u, z, p: Math.min(1, 2 * mannWhitneyExactCdf(n1, n2, nearer)) };
  }
  return { u, z, p: Math.min(1, 2 * (1 - normalCdf(z))) };
}

/** Pairs up to which the signed-rank statistic's null distribution is computed exactly (O(n³) in all). */
const SIGNED_RANK_EXACT_MAX = 200;

/**
 * P(W⁺ = w), w = 0 … n(n+1)/2, for the signed-rank statistic of n pairs under the null (each rank's
 * sign a fair coin): the subset-sum distribution of 1 … n, built one rank at a time.
 */
function signedRankNull(n: number): Float64Array {
  let dist = new Float64Array(1).fill(1);
  for (let r = 1; r <= n; r++) {
    const next = new Float64Array(dist.length + r);
    for (let w = 0; w < dist.length; w++) {
      next[w] += dist[w] / 2;
      next[w + r] += dist[w] / 2;
    }
    dist = next;
  }
  return dist;
}

/** Ranks 1 … n of |x| (ties share their average rank), and whether there were ties. */
function absoluteRanks(xs: number[]): { ranks: number[]; ties: number[] } {
  const order = xs.map((_, k) => k).sort((a, b) => Math.abs(xs[a]) - Math.abs(xs[b]));
  const ranks = new Array<number>(xs.length);
  const ties: number[] = [];
  for (let k = 0; k < order.length; ) {
    let j = k;
    while (j + 1 < order.length && Math.abs(xs[order[j + 1]]) === Math.abs(xs[order[k]])) j++;
    for (let m = k; m <= j; m++) ranks[order[m]] = (k + j) / 2 + 1;
    if (j > k) ties.push(j - k + 1);
    k = j + 1;
  }
  return { ranks, ties };
}

/**
 * Two-sided Wilcoxon signed-rank test of "the paired differences are symmetric about 0". Zero
 * differences are dropped. Exact (the null distribution itself) without ties up to
 * SIGNED_RANK_EXACT_MAX pairs; otherwise the normal approximation with tie and continuity
 * correction. `wPlus` is the sum of the ranks of the positive differences, `n` the pairs used.
 */
export function wilcoxonSignedRank(diffs: number[]): { wPlus: number; n: number; p: number } {
  const nonzero = diffs.filter((d) => d !== 0 && !Number.isNaN(d));
  const n = nonzero.length;
  if (n === 0) return { wPlus: 0, n, p: 1 };
  const { ranks, ties } = absoluteRanks(nonzero);
  const wPlus = nonzero.reduce((a, d, k) => a + (d > 0 ? ranks[k] : 0), 0);
  if (ties.length === 0 && n <= SIGNED_RANK_EXACT_MAX) {
    const dist = signedRankNull(n);
    let below = 0;
    for (let w = 0; w <= wPlus; w++) below += dist[w];
    let above = 0;
    for (let w = wPlus; w < dist.length; w++) above += dist[w];
    return { wPlus, n, p: Math.min(1, 2 * Math.min(below, above)) };
  }
  const mean = (n * (n + 1)) / 4;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - ties.reduce((a, t) => a + t ** 3 - t, 0) / 48;
  if (variance <= 0) return { wPlus, n, p: 1 };
  const z = Math.max(0, Math.abs(wPlus - mean) - 0.5) / Math.sqrt(variance);
  return { wPlus, n, p: Math.min(1, 2 * (1 - normalCdf(z))) };
}

/**
 * The CONFIDENCE_PERCENT interval for the centre of symmetric paired differences that goes with
 * the signed-rank test (Hodges–Lehmann): of the n(n+1)/2 Walsh averages (d_i + d_j) / 2, i ≤ j,
 * sorted, the k-th from each end, k − 1 being the largest w with P(W⁺ ≤ w) ≤ (1 − confidence)/2.
 * With fewer than 6 pairs no such w exists and the interval is [min, max] (as medianCiRanks).
 */
export function signedRankInterval(diffs: number[]): [number, number] {
  const n = diffs.length;
  if (n === 0) return [NaN, NaN];
  const walsh: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) walsh.push((diffs[i] + diffs[j]) / 2);
  walsh.sort((a, b) => a - b);
  const m = walsh.length;
  const tail = (1 - CONFIDENCE_PERCENT / 100) / 2;
  let k: number;
  if (n <= SIGNED_RANK_EXACT_MAX) {
    const dist = signedRankNull(n);
    let cumulative = 0;
    let w = -1;
    while (cumulative + dist[w + 1] <= tail) cumulative += dist[++w];
    k = Math.max(1, w + 1);
  } else {
    k = Math.max(1, Math.floor(m / 2 - Z_CONFIDENCE * Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24)));
  }
  k = Math.min(k, Math.ceil(m / 2));
  return [walsh[k - 1], walsh[m - k]];
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error below 1e-13). */
function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let k = 1; k < 9; k++) a += c[k] / (x + k);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularized incomplete beta I_x(a, b), by its continued fraction (modified Lentz). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  // the continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x)) / a;
  const tiny = 1e-300;
  let f = 1;
  let c = 1;
  let d = 0;
  for (let m = 0; m <= 300; m++) {
    for (const even of [true, false]) {
      let numerator: number;
      if (m === 0 && even) numerator = 1;
      else if (even) numerator = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
      else numerator = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
      d = 1 + numerator * d;
      d = Math.abs(d) < tiny ? tiny : d;
      c = 1 + numerator / c;
      c = Math.abs(c) < tiny ? tiny : c;
      d = 1 / d;
      f *= c * d;
    }
    if (Math.abs(c * d - 1) < 1e-14) break;
  }
  return front * (f - 1);
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The t with P(T ≤ t) = p (bisection on the CDF: a few dozen evaluations, exact to 1e-10). */
export function studentTQuantile(p: number, df: number): number {
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let k = 0; k < 200 && hi - lo > 1e-10 * hi; k++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
