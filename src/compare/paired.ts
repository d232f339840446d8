/**
 * Judging two revisions measured interleaved on one machine (`fffbench ab`, runners/commands/ab.ts).
 *
 * Each case is timed in pairs of short rounds, one of the base and one of the head back to back
 * (the order balanced and shuffled per case). Whatever the host does over seconds and minutes (a
 * neighbour, a frequency change, a backend's thread pool in a slow state) happens to both rounds
 * of a pair, and cancels in their ratio; the noise left is that of one pair. So a case's change is
 * the median of its per-pair log ratios log(head / base), its interval and p come from the
 * Wilcoxon signed-rank test on them (distribution-free; under no change, with the order of each
 * pair shuffled, a pair's log ratio is as likely to be −x as x), and Holm's procedure at alpha
 * over all judged cases keeps the chance of any false flag under alpha. A case is a regression
 * when Holm rejects it and its change exceeds --threshold (the smallest slowdown that counts).
 *
 * What pairing cannot cancel: a lasting difference between the two worker processes themselves
 * (where a process's memory happens to lie, what its JIT made of the code). --threshold bounds how
 * much of that can count.
 */
import { median, signedRankInterval, wilcoxonSignedRank } from '../measure/stats.ts';
import type { Result } from '../results/schema.ts';
import { caseKey, type CaseChange, type PairedCase, type PairedRounds, type PairedRun, type RunComparison } from './compare.ts';
import { holm, type CompareOptions } from './noise.ts';

export interface PairedJudgement {
  /** The median per-pair ratio head / base. */
  ratio: number;
  /** The signed-rank test's CONFIDENCE_PERCENT interval for the ratio. */
  ciLow: number;
  ciHigh: number;
  /** Two-sided p of the signed-rank test (no change: log ratios symmetric about 0). */
  p: number;
  /** See PairedCase.spread. */
  spread: number;
  rounds: number;
}

export function judgePairs(r: PairedRounds): PairedJudgement {
  const n = Math.min(r.base.length, r.head.length);
  if (n === 0) throw new Error('judgePairs needs at least one pair of rounds');
  const logs = Array.from({ length: n }, (_, k) => Math.log(r.head[k] / r.base[k]));
  const centre = median(logs);
  const [lo, hi] = signedRankInterval(logs);
  const spread = 1.4826 * median(logs.map((x) => Math.abs(x - centre)));
  return { ratio: Math.exp(centre), ciLow: Math.exp(lo), ciHigh: Math.exp(hi), p: wilcoxonSignedRank(logs).p, spread, rounds: n };
}

/** The smallest two-sided p the signed-rank test can give with n pairs (all of one sign): 2 / 2ⁿ. */
export function smallestPairedP(n: number): number {
  return Math.min(1, 2 / 2 ** n);
}

/** One case of an ab run: what each side's worker made of it, and the rounds, when both could be timed. */
export interface PairedCaseInput {
  base: Result;
  head: Result;
  rounds?: PairedRounds;
}

function unjudged(base: Result, head: Result): Pick<CaseChange, 'outcome' | 'note'> {
  const why = (side: string, r: Result) => `${side} ${r.status}${r.reason ? `: ${r.reason}` : ''}`;
  const broken = (r: Result) => r.status === 'invalid' || r.status === 'failed';
  if (broken(head) && !broken(base)) return { outcome: 'failed-in-candidate', note: `${why('head', head)}; base ${base.status}` };
  if (base.status === 'ok') return { outcome: 'only-in-baseline', note: why('head', head) };
  if (head.status === 'ok') return { outcome: 'only-in-candidate', note: why('base', base) };
  return { outcome: 'not-timed', note: `${why('base', base)}; ${why('head', head)}` };
}

/** A judged case's outcome: a change beyond ±threshold that Holm rejected (at `level`), else unchanged. */
function pairedOutcome(change: number, level: number | undefined, options: CompareOptions): CaseChange['outcome'] {
  if (level === undefined) return 'unchanged';
  return change > options.threshold ? 'regression' : change < -options.threshold ? 'improvement' : 'unchanged';
}

/** Whether the first judgement flagged a case: what the confirmation times again (confirmPaired). */
export const isFlagged = (row: CaseChange): boolean => row.outcome === 'regression' || row.outcome === 'improvement';

/** Each case's judgement where both sides timed it, with its Holm level over those cases at `alpha` (undefined: not rejected). */
function judgeWithHolm(cases: PairedCaseInput[], alpha: number): ({ j: PairedJudgement; level: number | undefined } | undefined)[] {
  const judged = cases.map((c) => (c.rounds ? judgePairs(c.rounds) : undefined));
  const levels = holm(
    judged.flatMap((j) => (j ? [j.p] : [])),
    alpha,
  );
  let next = 0;
  return judged.map((j) => (j ? { j, level: levels[next++] } : undefined));
}

/**
 * The comparison of an ab run, in the shape `compare` gives (baseline: base, candidate: head), each
 * judged case with its paired rounds. Holm's procedure runs over the cases that both sides timed.
 */
export function comparePaired(cases: PairedCaseInput[], run: PairedRun, machineId: string, options: CompareOptions): RunComparison {
  const judged = judgeWithHolm(cases, options.alpha);
  const rows: CaseChange[] = cases.map((c, k) => {
    const r = c.head;
    const row = { key: caseKey(r), runtime: r.runtime.name, backend: r.backend.name, model: r.model, shape: r.shape };
    if (!judged[k] || !c.rounds) return { ...row, ...unjudged(c.base, c.head) };
    const { j, level } = judged[k];
    const change = j.ratio - 1;
    const outcome = pairedOutcome(change, level, options);
    const paired: PairedCase = { ...c.rounds, rounds: j.rounds, spread: j.spread, ...(level !== undefined ? { level } : {}) };
    return {
      ...row,
      baselineMedian: median(c.rounds.base),
      candidateMedian: median(c.rounds.head),
      change,
      changeCiLow: j.ciLow - 1,
      changeCiHigh: j.ciHigh - 1,
      p: j.p,
      threshold: options.threshold,
      test: 'paired-rounds',
      outcome,
      paired,
    };
  });
  const label = (side: PairedRun['base']) => {
    const commit = `${side.commit.slice(0, 8)}${side.dirty ? '+dirty' : ''}`;
    return side.revision === side.commit ? commit : `${side.revision} (${commit})`;
  };
  return {
    machineId,
    gated: true,
    machineState: { changed: false, reasons: [] },
    // ab judges a revision as a whole: a runtime its lockfile pins to another version is part of
    // the change under test, measured on both sides in the same minutes, so it is judged, not set aside
    runtimeChanges: [],
    baselineLabel: label(run.base),
    candidateLabel: label(run.head),
    baselineRuns: 1,
    options: { threshold: options.threshold, alpha: options.alpha },
    cases: rows,
    regressions: rows.filter((x) => x.outcome === 'regression').length,
    improvements: rows.filter((x) => x.outcome === 'improvement').length,
    paired: run,
  };
}

/**
 * The confirmation of an ab run's flagged cases (in place): each regression and improvement was
 * timed again on a fresh pair of workers (`again`, in the order of the flagged rows), judged as
 * the first time, Holm over the flagged cases at alpha. A case counts only where the fresh pair
 * repeats its outcome: what two worker processes differ by for a whole case (a thread pool's
 * state, where memory lies) is a property of those processes, and a fresh pair draws it anew.
 */
export function confirmPaired(comparison: RunComparison, again: PairedCaseInput[], options: CompareOptions): void {
  const flagged = comparison.cases.filter(isFlagged);
  if (flagged.length !== again.length) throw new Error(`confirmPaired: ${flagged.length} flagged cases, ${again.length} re-run`);
  const judged = judgeWithHolm(again, options.alpha);
  flagged.forEach((row, k) => {
    if (!judged[k]) {
      const why = again[k].head.reason ?? again[k].base.reason ?? 'not timed on both sides';
      row.confirmation = { outcome: 'not-timed', confirmed: false, note: `the fresh pair could not time it: ${why}` };
      return;
    }
    const { j, level } = judged[k];
    const change = j.ratio - 1;
    const outcome = pairedOutcome(change, level, options);
    row.confirmation = { change, p: j.p, ...(level !== undefined ? { level } : {}), reruns: 1, outcome, confirmed: outcome === row.outcome };
  });
  const confirmed = (outcome: string) => flagged.filter((x) => x.outcome === outcome && x.confirmation!.confirmed).length;
  comparison.regressions = confirmed('regression');
  comparison.improvements = confirmed('improvement');
  comparison.confirmation = { rerun: flagged.length, confirmed: comparison.regressions + comparison.improvements };
}
