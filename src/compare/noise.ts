/**
 * How much a case's median moves between runs of one commit, and whether a new run's median lies
 * beyond that: the statistics of compare (src/compare/compare.ts), kept apart from its bookkeeping.
 */
import { median, studentTCdf, studentTQuantile } from '../measure/stats.ts';

/** Baseline runs needed before a comparison may fail a job: fewer cannot estimate run-to-run noise. */
export const MIN_GATING_RUNS = 3;

export interface CompareOptions {
  /** Relative slowdown that counts, e.g. 0.05 for 5%. */
  threshold: number;
  /** Significance level of a regression (and of an improvement). */
  alpha: number;
  /**
   * With a confirming re-run to follow: the looser level at which a case is flagged for it. The
   * re-run is then judged at `alpha`, so a slowdown must show in two independent measurements.
   */
  screenAlpha?: number;
}

export interface RunMedianJudgement {
  change: number;
  changeCiLow: number;
  changeCiHigh: number;
  p: number;
  noise: number;
  threshold: number;
  outcome: 'regression' | 'improvement' | 'unchanged';
}

/**
 * A case's run-to-run noise, on the log scale. Four runs of one case say little about its spread:
 * by chance they can sit within 0.5% on a backend whose runs typically spread 2-8% (which then
 * flagged an ordinary 7% as a regression here), and one slow outlier run inflates their standard
 * deviation tenfold. So the scale is the backend's typical spread, the median over its cases of
 * their run medians' standard deviation (`BackendScale`), raised to the case's own robust spread
 * (1.4826 × the median absolute deviation of its run medians) where the case is noisier than its
 * backend. Without a backend scale (fewer than BACKEND_SCALE_MIN_CASES cases), the case's own
 * standard deviation with Student's t (n − 1 degrees of freedom) stands in.
 */
export interface BackendScale {
  scale: number;
  /** Degrees of freedom behind the scale: its cases × (runs − 1). */
  df: number;
}

/** Cases a backend needs in the baseline before the median of their spreads is its scale. */
const BACKEND_SCALE_MIN_CASES = 5;

export function sdOf(xs: number[]): number {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
}

/**
 * The candidate median against n ≥ 2 earlier runs' medians of the same case, on the log scale
 * (timings are ratios). The centre is the median of the run medians (one outlier run barely moves
 * it); a new run of an unchanged case falls within centre ± z(1 − alpha/2) · scale · √(1 + π/2n)
 * with probability about 1 − alpha (√(1 + π/2n): the new run and the centre are both uncertain).
 * A regression lies above that band and above --threshold; the reported threshold is the larger of
 * the two, so each case shows how small a slowdown its noise lets us see.
 */
export function judgeRunMedians(runMedians: number[], candidateMedian: number, options: CompareOptions, backend?: BackendScale): RunMedianJudgement {
  const n = runMedians.length;
  if (n < 2) throw new Error('judgeRunMedians needs at least 2 run medians');
  const logs = runMedians.map(Math.log);
  const centre = median(logs);
  const caseSpread = 1.4826 * median(logs.map((y) => Math.abs(y - centre)));
  const noise = backend ? Math.max(backend.scale, caseSpread) : sdOf(logs);
  const se = noise * Math.sqrt(1 + Math.PI / (2 * n));
  const d = Math.log(candidateMedian) - centre;
  const z = se > 0 ? d / se : d === 0 ? 0 : Math.sign(d) * Infinity;
  // Student's t with the degrees of freedom behind the scale: many for a backend's, n − 1 for a case's own
  const df = backend ? Math.max(n - 1, backend.df) : n - 1;
  const tail = (x: number) => 1 - studentTCdf(x, df);
  const quantile = (q: number) => studentTQuantile(q, df);
  const p = Math.min(1, 2 * tail(Math.abs(z)));
  const minimum = Math.log(1 + options.threshold);
  const slower = Math.max(quantile(1 - (options.screenAlpha ?? options.alpha) / 2) * se, minimum);
  const faster = Math.max(quantile(1 - options.alpha / 2) * se, minimum);
  const ci = quantile(0.975) * se;
  const outcome = d > slower ? 'regression' : d < -faster ? 'improvement' : 'unchanged';
  return { change: Math.exp(d) - 1, changeCiLow: Math.exp(d - ci) - 1, changeCiHigh: Math.exp(d + ci) - 1, p, noise, threshold: Math.exp(slower) - 1, outcome };
}

/**
 * Per runtime and backend: the median over its cases of the standard deviation of their log run
 * medians, each divided by the median of its sampling distribution (an sd from few runs is
 * usually below σ: its median is σ·√(median of χ²(df) / df), 0.89σ for 4 runs), so that the scale
 * estimates σ itself and a test at alpha flags an unchanged case at rate alpha.
 */
export function backendScales(cases: Iterable<{ backend: string; runMedians: number[] }>): Map<string, BackendScale> {
  const spreads = new Map<string, { sds: number[]; df: number }>();
  for (const c of cases) {
    const n = c.runMedians.length;
    if (n < MIN_GATING_RUNS) continue;
    const key = c.backend;
    const entry = spreads.get(key) ?? { sds: [], df: 0 };
    // Wilson–Hilferty: the median of χ²(k) is about k(1 − 2/9k)³
    const medianRatio = (1 - 2 / (9 * (n - 1))) ** 3;
    entry.sds.push(sdOf(c.runMedians.map(Math.log)) / Math.sqrt(medianRatio));
    entry.df += n - 1;
    spreads.set(key, entry);
  }
  const out = new Map<string, BackendScale>();
  for (const [key, { sds, df }] of spreads) if (sds.length >= BACKEND_SCALE_MIN_CASES) out.set(key, { scale: median(sds), df });
  return out;
}

/** Unflagged cases of a backend, re-run with its flagged ones, needed before their change is netted out. */
export const MIN_RERUN_CONTEXT = 3;

/** Degrees of freedom taken for a case's noise in the re-run test: a backend's scale pools tens of cases' runs. */
const RERUN_NOISE_DF = 30;

export interface RerunJudgement {
  /** The re-runs' median against the baseline centre, as a fraction (positive: slower). */
  change: number;
  /** What the re-run did to the unflagged cases of the backend measured with it (their median change); 0 without enough of them. */
  contextChange: number;
  /** The change net of the context's, where the context ran slower (a faster context is not credited). */
  netChange: number;
  /** Two-sided p of the net change against the noise. */
  p: number;
}

/**
 * A flagged case's confirming re-runs against its baseline. A backend in a slow state (a virtual
 * machine's neighbour, a thread pool parked badly) stays slow for minutes, into the re-run, and
 * moves the backend's other re-run cases too: so the case's change is taken net of the median
 * change of the unflagged cases of its backend re-run with it (the context), with the spread of
 * those as the noise where it exceeds the case's own. A context that ran faster (a fresh worker
 * ran a backend's cases 9-30% faster here) is not credited: how much faster differs from case to
 * case, and crediting it confirmed a case whose re-runs were no slower than its baseline.
 *
 * `centre` is the baseline's median log run median; `rerunLogs` the case's log medians, one per
 * re-run (their median is taken: one slow re-run cannot confirm); `contextChanges` each context
 * case's median log change over the re-runs; `noise` the case's run-to-run noise on the log scale
 * (RunMedianJudgement.noise); `baselineRuns` n.
 */
export function judgeRerun(centre: number, rerunLogs: number[], contextChanges: number[], noise: number, baselineRuns: number): RerunJudgement {
  const d = median(rerunLogs) - centre;
  const m = contextChanges.length;
  const withContext = m >= MIN_RERUN_CONTEXT;
  const offset = withContext ? median(contextChanges) : 0;
  const contextSpread = withContext ? 1.4826 * median(contextChanges.map((c) => Math.abs(c - offset))) : 0;
  const scale = Math.max(noise, contextSpread);
  const net = d - Math.max(offset, 0);
  // the case's centre and the context's offset are both estimates: their errors add to the re-run's
  const se = scale * Math.sqrt(1 + Math.PI / (2 * baselineRuns) + (withContext ? Math.PI / (2 * m) : 0));
  // degrees of freedom: the context's where its spread sets the scale, else those of a backend's scale (many)
  const df = contextSpread > noise ? Math.max(m - 1, 2) : RERUN_NOISE_DF;
  const z = se > 0 ? net / se : Math.sign(net) * Infinity;
  const p = Math.min(1, 2 * (1 - studentTCdf(Math.abs(z), df)));
  return { change: Math.exp(d) - 1, contextChange: Math.exp(offset) - 1, netChange: Math.exp(net) - 1, p };
}

/**
 * Which flagged cases the re-runs confirm, by Holm's step-down procedure at `alpha` over all of
 * them: the job fails if any one is confirmed, so it is the chance of any false confirmation that
 * must stay under alpha, and on a noisy machine tens of cases are flagged (49 of 420 in one A/A
 * here). A case is confirmed when its p passes its Holm level and both its change and its net
 * change exceed its threshold: the one it was flagged against (`thresholds[k]`: --threshold, or
 * more where the case's run-to-run noise asks for more), else --threshold. A re-run slower than
 * the baseline by less than the case's own noise allows repeats nothing the screen could count.
 * Returns each case's Holm level (undefined once the procedure stopped).
 */
export function holmConfirm(
  judgements: RerunJudgement[],
  options: CompareOptions,
  thresholds: (number | undefined)[] = [],
): { confirmed: boolean; level?: number }[] {
  return holm(
    judgements.map((j) => j.p),
    options.alpha,
  ).map((level, k) => {
    if (level === undefined) return { confirmed: false };
    const minimum = Math.max(options.threshold, thresholds[k] ?? 0);
    return { confirmed: judgements[k].change > minimum && judgements[k].netChange > minimum, level };
  });
}

/**
 * Holm's step-down procedure at `alpha` over the p values: the level each rejected hypothesis was
 * rejected at (alpha / (m − rank), smallest p first), undefined for the rest, which begin at the
 * first p above its level. The chance of any false rejection stays under alpha.
 */
export function holm(ps: number[], alpha: number): (number | undefined)[] {
  const order = ps.map((_, k) => k).sort((a, b) => ps[a] - ps[b]);
  const levels: (number | undefined)[] = ps.map(() => undefined);
  for (let rank = 0; rank < order.length; rank++) {
    const level = alpha / (order.length - rank);
    if (!(ps[order[rank]] <= level)) break;
    levels[order[rank]] = level;
  }
  return levels;
}
