/**
 * `fffbench ab`: two revisions measured interleaved on this machine in one job, judged on the
 * paired rounds (src/compare/paired.ts). The checkouts come from runners/checkouts.ts, the paired
 * workers from runners/ab-workers.ts; this module parses, runs, renders and writes.
 */
import os from 'node:os';
import { relative, resolve } from 'node:path';
import { failsJob, type PairedRun, type RunComparison } from '../../src/compare/compare.ts';
import { median } from '../../src/measure/stats.ts';
import { comparePaired, confirmPaired, isFlagged, smallestPairedP, type PairedCaseInput } from '../../src/compare/paired.ts';
import { BACKEND_NAMES } from '../../src/backends/registry.ts';
import { UserError } from '../../src/errors.ts';
import { MEMORY_BUDGET_FRACTION } from '../../src/execute/run-case.ts';
import type { CaseSpec } from '../../src/model/case.ts';
import { RUNTIME_NAMES, type RuntimeName } from '../../src/model/runtimes.ts';
import { readHistory } from '../../src/results/history.ts';
import type { ResultsFile } from '../../src/results/schema.ts';
import { compareMarkdown, compareTable } from '../../reports/compare.ts';
import { expandCases } from '../../suites/expand.ts';
import { loadSuite } from '../../suites/load.ts';
import { killServingWorkers, runPaired, type PairedOptions } from '../ab-workers.ts';
import { resolveCommit, workingTreeCheckout, worktreeCheckout, type Checkout } from '../checkouts.ts';
import { commaList, parseThreshold } from './options.ts';
import { historyDir } from '../history-dir.ts';
import { machineFingerprint } from '../machine.ts';
import { writeJsonAtomic } from '../write-atomic.ts';

/** The suite ab runs unless told: short enough for every pull request (suites/ab-pr.json). */
export const AB_DEFAULT_SUITE = 'ab-pr';
/**
 * Pairs of rounds per case. Crafted pairs with 3% noise per round and one round in 20 hit ×1.5
 * (test/unit/paired.test.ts): a 10% slowdown passed Holm's first level over 40 cases (alpha 0.01) in
 * 41% of cases with 20 pairs, 80% with 30 and 94% with 40: a round hit against the change takes
 * the signed-rank test's largest rank, and only more pairs outvote it.
 */
export const DEFAULT_ROUNDS = 40;
/**
 * Pairs of rounds run before the counted ones and dropped. Under load here a kernel's two workers
 * reached its fast code at different times: the first 10-15 pairs of one case 1.3-1.9x apart, then
 * equal (V8 compiles the optimised code on a background thread, which a busy machine starves).
 */
export const WARMUP_PAIRS = 4;
/**
 * Most cases whose pairs of rounds run interleaved (pair k of each before pair k + 1 of any). A
 * worker on this VM sometimes sat in a slow state (calls near twice as long) for a second or more
 * while the other did not; one case's 40 pairs take about as long, so such a state swallowed most
 * of a case. Interleaved four ways, a case's pairs spread over four times the time, and the state
 * touches a quarter as many of them.
 */
export const DEFAULT_INTERLEAVE = 4;
/** The pause after each round: a multi-threaded backend's pool spins a little before it parks (wasm-mt: microseconds; onnxruntime's: longer). */
export const SETTLE_MS = 5;

export const AB_HELP = `Usage: fffbench ab --base REV [--head REV] [SUITE] [options]
       fffbench ab --base-history DIR [SUITE] [options]

Measures two revisions of this repository on this machine, in one job, interleaved. Each case of
SUITE (default: ${AB_DEFAULT_SUITE}, a few minutes here) is checked against the reference on both
sides, then timed in ${DEFAULT_ROUNDS} pairs of short rounds: one round of base and one of head back
to back, the order balanced and shuffled per case, after ${WARMUP_PAIRS} warm-up pairs that are not
counted. The pairs of up to ${DEFAULT_INTERLEAVE} cases at a time are interleaved (pair k of each
before pair k + 1 of any), so that a slow spell of one worker falls on a few pairs of each case
rather than on most pairs of one. Each revision runs in its own worker. Whatever the machine does
during a case happens to both sides of a pair and cancels in their ratio, so ab sees a few percent
where a comparison across runs (compare) sees only the run-to-run spread.
It costs about twice the suite's time (every case is timed for both revisions), more for a suite
of short cases (each round is followed by a ${SETTLE_MS} ms pause), plus the flagged cases again.

A case's change is the median over its pairs of head / base − 1, with a 95% interval and p from
the Wilcoxon signed-rank test on the pairs' log ratios; Holm's procedure over all cases holds the
chance of any false flag under --alpha. A case is flagged when Holm rejects it and its change
exceeds --threshold; each flagged case is then timed again on a fresh pair of workers (started
the other way round), and is a regression (or an improvement) only if that pair repeats it: two
worker processes can differ by a few percent for a whole case, and a fresh pair draws that anew.
Each round reads its samples' lower quartile: other work on the machine only adds time. Use
compare (and report --history) for the history and the trend; ab for a decision about one change.

Revisions:
  --base REV          the revision to compare against (a branch, tag, hash, HEAD~1, origin/main)
  --head REV          the revision to judge (default: this working tree, in place, uncommitted
                      changes included)
  --base-history DIR  base: the commit of the latest run of SUITE filed in DIR, on any machine
                      (the nightly: tonight against last night); nothing to do when it is head's
A revision other than the working tree is checked out as a git worktree in a temporary directory
(removed afterwards), sharing this checkout's node_modules when its package-lock.json is the
same, else installing its own (npm ci). A base older than ab is refused, with the oldest revision
that supports it.

Options:
  --runtimes LIST     comma-separated subset of the suite's runtimes (${RUNTIME_NAMES.join(',')})
  --backends LIST     comma-separated backends, replacing the suite's (${BACKEND_NAMES.join(', ')})
  --rounds N          pairs of rounds per case (default ${DEFAULT_ROUNDS}); each round lasts about the suite's
                      minTimeMs / N, at least 3 samples where maxCaseTimeMs allows
  --interleave N      most cases whose pairs are interleaved (default ${DEFAULT_INTERLEAVE}; 1: one case at a time);
                      fewer where their memory plans would not fit a worker's budget together
  --threshold X       smallest slowdown that counts, "5%" or 0.05 (default 5%)
  --alpha A           chance of any false flag over all cases, Holm (default 0.01)
  --format F          md (CI job summary, PR comment), json or table (default table)
  --out FILE          also write the comparison as JSON, with every case's rounds
  --no-confirm        take the flagged cases as they are (default: each regression and improvement
                      is timed again on a fresh pair of workers, and counts only if that repeats it)
  --case-timeout SEC  a prepare or a round running longer fails the case (default: 3 × maxCaseTimeMs + 120 s)
  -h, --help          this help

Exit status: 1 when a case is a regression, or when head fails a case (its output wrong, or it
crashed) that base passes; 0 otherwise; 2 on bad input (an unknown revision, a bad option).`;

export interface AbValues {
  base?: string;
  head?: string;
  baseHistory?: string;
  suite?: string;
  runtimes?: string;
  backends?: string;
  rounds?: string;
  interleave?: string;
  threshold?: string;
  alpha?: string;
  format?: string;
  out?: string;
  caseTimeout?: string;
  /** false: --no-confirm. */
  confirm?: boolean;
}

const log = (line: string) => console.error(line);

export async function commandAb(v: AbValues): Promise<number> {
  // every argument is checked before anything is checked out
  if ((v.base === undefined) === (v.baseHistory === undefined)) throw new UserError('give the base: --base REV, or --base-history DIR (one of them)');
  const threshold = parseThreshold(v.threshold ?? '5%');
  const alpha = Number(v.alpha ?? '0.01');
  if (!(alpha > 0 && alpha < 1)) throw new UserError(`--alpha: expected a number between 0 and 1 (given: ${v.alpha})`);
  const format = v.format ?? 'table';
  if (!['md', 'json', 'table'].includes(format)) throw new UserError(`--format: expected md, json or table (given: ${format})`);
  const rounds = Number(v.rounds ?? DEFAULT_ROUNDS);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 1000)
    throw new UserError(`--rounds: expected a whole number of pairs from 1 to 1000 (given: ${v.rounds})`);
  const interleave = Number(v.interleave ?? DEFAULT_INTERLEAVE);
  if (!Number.isInteger(interleave) || interleave < 1 || interleave > 64)
    throw new UserError(`--interleave: expected a whole number of cases from 1 to 64 (given: ${v.interleave})`);
  const { suite, file } = loadSuite(v.suite ?? AB_DEFAULT_SUITE);
  const runtimes = commaList(v.runtimes, RUNTIME_NAMES, '--runtimes');
  if (runtimes) suite.runtimes = runtimes as RuntimeName[];
  const cases: CaseSpec[] = expandCases(suite, file, commaList(v.backends, BACKEND_NAMES, '--backends'));
  let commandTimeoutMs = 3 * suite.measurement.maxCaseTimeMs + 120_000;
  if (v.caseTimeout !== undefined) {
    const sec = Number(v.caseTimeout);
    if (!(sec > 0)) throw new UserError(`--case-timeout: expected a positive number of seconds (given: ${v.caseTimeout})`);
    commandTimeoutMs = sec * 1000;
  }
  const machine = machineFingerprint();
  const headCommit = v.head === undefined ? undefined : resolveCommit(v.head, '--head', log);
  let baseRevision = v.base;
  if (v.baseHistory !== undefined) {
    const last = latestRun(historyDir(v.baseHistory, '--base-history'), suite.name);
    if (!last?.git) throw new UserError(`--base-history: no run of suite ${suite.name} with a commit in ${v.baseHistory}`);
    const head: { commit: string; dirty?: boolean } = headCommit !== undefined ? { commit: headCommit } : workingTreeCheckout().revision;
    if (!head.dirty && last.git.commit === head.commit) {
      console.log(
        `fffbench ab: nothing to compare: the latest run in ${v.baseHistory} (${last.startedAt}) measured head's commit ${last.git.commit.slice(0, 8)}`,
      );
      return 0;
    }
    baseRevision = last.git.commit;
    log(`base: ${baseRevision.slice(0, 8)}, the commit of the latest run in ${v.baseHistory} (${last.startedAt})`);
  }
  const baseCommit = resolveCommit(baseRevision!, v.baseHistory !== undefined ? '--base-history' : '--base', log);

  const notes: string[] = [];
  const smallest = smallestPairedP(rounds);
  if (cases.length > 0 && smallest > alpha / cases.length) {
    notes.push(
      `With ${rounds} pairs of rounds the signed-rank test's smallest p is ${smallest.toExponential(1)}, above alpha / cases (${(alpha / cases.length).toExponential(1)}): not every case can be flagged, however slow. Raise --rounds.`,
    );
  }

  const checkouts: Checkout[] = [];
  const removeCheckouts = () => {
    for (const c of checkouts.splice(0)) c.remove();
  };
  const onInterrupt = () => {
    killServingWorkers();
    removeCheckouts();
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  let comparison: RunComparison;
  try {
    checkouts.push(worktreeCheckout(baseRevision!, baseCommit, 'base', log));
    checkouts.push(headCommit === undefined ? workingTreeCheckout() : worktreeCheckout(v.head!, headCommit, 'head', log));
    const [base, head] = checkouts;
    const roundMs = suite.measurement.minTimeMs / rounds;
    const run: PairedRun = { base: base.revision, head: head.revision, rounds, warmupPairs: WARMUP_PAIRS, roundMs, settleMs: SETTLE_MS, interleave };
    log(
      `fffbench ab: ${cases.length} cases of ${suite.name}, base ${base.revision.revision} (${base.revision.commit.slice(0, 8)}) against head ${head.revision.revision} (${head.revision.commit.slice(0, 8)}${head.revision.dirty ? '+dirty' : ''}), ${rounds} pairs of rounds of about ${Number(roundMs.toPrecision(2))} ms per case, up to ${interleave} cases interleaved`,
    );
    let done = 0;
    const paired: PairedOptions = {
      cases,
      checkouts: { base, head },
      seed: suite.seed,
      measurement: suite.measurement,
      maxWeightBytes: suite.limits.maxWeightBytes,
      // two workers, each holding the cases of a window
      memoryBudgetBytes: Math.floor((os.freemem() * MEMORY_BUDGET_FRACTION) / 2),
      commandTimeoutMs,
      rounds,
      interleave,
      warmupPairs: WARMUP_PAIRS,
      roundMs,
      settleMs: SETTLE_MS,
      onCase: (c, o) => log(`[${++done}/${cases.length}] ${c.id}: ${progressText(o)}`),
    };
    const outcomes = await runPaired(paired);
    comparison = comparePaired(outcomes, run, machine.id, { threshold, alpha });
    const flagged = cases.filter((_, k) => isFlagged(comparison.cases[k]));
    if (flagged.length > 0 && v.confirm !== false) {
      log(`confirming ${flagged.length} flagged case${flagged.length === 1 ? '' : 's'} on a fresh pair of workers, started head first`);
      done = 0;
      const again = await runPaired({
        ...paired,
        cases: flagged,
        startHeadFirst: true,
        onCase: (c, o) => log(`[confirm ${++done}/${flagged.length}] ${c.id}: ${progressText(o)}`),
      });
      confirmPaired(comparison, again, { threshold, alpha });
    }
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
    removeCheckouts();
  }
  const document = { comparisons: [comparison], notes };
  if (format === 'json') console.log(JSON.stringify(document, null, 1));
  else
    console.log([format === 'md' ? compareMarkdown(comparison) : compareTable(comparison), ...notes.map((n) => (format === 'md' ? `_${n}_` : n))].join('\n\n'));
  if (v.out) {
    writeJsonAtomic(resolve(v.out), document);
    log(`comparison: ${relative(process.cwd(), resolve(v.out))}`);
  }
  return failsJob(comparison) ? 1 : 0;
}

/**
 * The latest run of `suite` filed in `dir`, whichever machine measured it: every machine's run of
 * a night measured that night's commit (the nightly's ab may run on another machine than its shards).
 */
function latestRun(dir: string, suite: string): ResultsFile | undefined {
  const runs = [...readHistory(dir).values()]
    .flat()
    .map((e) => e.file)
    .filter((f) => f.suite.name === suite && f.git);
  return runs.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt)).pop();
}

function progressText(o: PairedCaseInput): string {
  if (!o.rounds) return [`base ${o.base.status}`, `head ${o.head.status}`, o.head.reason ?? o.base.reason ?? ''].filter(Boolean).join(', ');
  const ratios = o.rounds.head.map((h, k) => h / o.rounds!.base[k]);
  return `head / base ${median(ratios).toFixed(3)} over ${ratios.length} pairs`;
}
