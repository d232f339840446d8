/**
 * The confirming re-run: before a regression fails a job, its case is measured again, three times
 * in fresh workers on this machine (after the cases of its backend that ran before it in the suite,
 * as they did there), and judged against the same baseline net of what the re-run did to those
 * other cases (judgeRerun in src/compare/noise.ts), at alpha over all flagged cases together
 * (holmConfirm). Only a slowdown the re-runs repeat counts; one that they do not was the run's
 * state, not the code's.
 */
import os from 'node:os';
import { caseKey, judgeCase, type Baseline, type RunComparison } from '../src/compare/compare.ts';
import { holmConfirm, judgeRerun, type RerunJudgement } from '../src/compare/noise.ts';
import { median } from '../src/measure/stats.ts';
import { MEMORY_BUDGET_FRACTION } from '../src/execute/run-case.ts';
import type { CaseSpec } from '../src/model/case.ts';
import { isRuntimeName, unknownRuntimeMessage } from '../src/model/runtimes.ts';
import { UserError } from '../src/errors.ts';
import type { Result, ResultsFile } from '../src/results/schema.ts';
import { loadSuite } from '../suites/load.ts';
import { machineFingerprint } from './machine.ts';
import { runCases } from './orchestrator.ts';

/**
 * Re-measures the cases the comparison flagged (at its screening level) and recounts its
 * regressions as those the re-run repeats at the comparison's alpha (in place). Where the run was
 * measured on another machine, nothing can be re-run: the flagged cases are judged once more at
 * alpha, and those that pass stand as unconfirmed regressions.
 */
export async function confirmRegressions(comparison: RunComparison, baseline: Baseline, candidate: ResultsFile, log: (line: string) => void): Promise<void> {
  const strict = { threshold: comparison.options.threshold, alpha: comparison.options.alpha };
  const flagged = comparison.cases.filter((c) => c.outcome === 'regression');
  if (flagged.length === 0) return;
  const here = machineFingerprint().id;
  if (here !== candidate.machine.id) {
    let standing = 0;
    for (const row of flagged) {
      const r = candidate.results.find((x) => caseKey(x) === row.key)!;
      const again = judgeCase(baseline, baseline.cases.get(row.key)!, r, strict);
      row.confirmation = {
        outcome: again.outcome,
        confirmed: again.outcome === 'regression',
        note: again.outcome === 'regression' ? 'not re-run (another machine); beyond alpha without a re-run' : 'flagged for a re-run, within alpha without one',
      };
      if (again.outcome === 'regression') standing++;
    }
    comparison.confirmation = {
      rerun: 0,
      confirmed: standing,
      note: `not re-run: this host is machine ${here} and the run was measured on ${candidate.machine.id}; ${standing} of ${flagged.length} flagged case${flagged.length === 1 ? '' : 's'} stand${standing === 1 ? 's' : ''} as regressions on the first measurement alone`,
    };
    comparison.regressions = standing;
    return;
  }
  const flaggedKeys = new Set(flagged.map((c) => c.key));
  const selected = withContextCases(candidate.results, flaggedKeys);
  const spec = (r: Result): CaseSpec => {
    if (!isRuntimeName(r.runtime.name)) throw new UserError(`cannot re-run ${r.id}: ${unknownRuntimeMessage(r.runtime.name)}`);
    return { id: r.id, runtime: r.runtime.name, backend: r.backend.name, model: r.model, shape: r.shape };
  };
  const { suite } = loadSuite(candidate.suite.file);
  log(
    `confirming ${flagged.length} flagged case${flagged.length === 1 ? '' : 's'}: ${CONFIRM_REPEATS} re-runs in fresh workers, ${selected.length} cases each (with cases of their backends around each)…`,
  );
  const logMedians = new Map<string, number[]>();
  const reasons = new Map<string, string>();
  for (let k = 0; k < CONFIRM_REPEATS; k++) {
    const rerun = await runCases({
      cases: selected.map(spec),
      seed: candidate.seed ?? suite.seed,
      measurement: suite.measurement,
      maxWeightBytes: suite.limits.maxWeightBytes,
      memoryBudgetBytes: Math.floor(os.freemem() * MEMORY_BUDGET_FRACTION),
      caseTimeoutMs: 3 * suite.measurement.maxCaseTimeMs + 120_000,
    });
    for (const r of rerun) {
      if (r.status === 'ok' && r.stats) logMedians.set(caseKey(r), [...(logMedians.get(caseKey(r)) ?? []), Math.log(r.stats.median)]);
      else reasons.set(caseKey(r), r.reason ?? 'the re-run measured nothing');
    }
  }
  // each re-run case's median change against its baseline (log), computed once: a flagged case's
  // context is the unflagged ones of its backend
  const changes = new Map<string, { backend: string; centre: number; change: number }>();
  for (const r of selected) {
    const key = caseKey(r);
    const logs = logMedians.get(key);
    const base = baseline.cases.get(key);
    if (!logs || !base) continue;
    const centre = median(base.runMedians.map(Math.log));
    changes.set(key, { backend: backendOf(r), centre, change: median(logs) - centre });
  }
  const judged: { row: (typeof flagged)[number]; logs: number[]; context: number[]; j: RerunJudgement }[] = [];
  for (const row of flagged) {
    const logs = logMedians.get(row.key);
    const own = changes.get(row.key);
    if (!logs || !own) {
      row.confirmation = { outcome: 'not-timed', confirmed: false, note: reasons.get(row.key) ?? 'the re-run measured nothing' };
      continue;
    }
    const context = [...changes].filter(([key, c]) => !flaggedKeys.has(key) && c.backend === own.backend).map(([, c]) => c.change);
    judged.push({ row, logs, context, j: judgeRerun(own.centre, logs, context, row.noise ?? 0, row.baselineRuns ?? baseline.runs) });
  }
  const decisions = holmConfirm(
    judged.map((x) => x.j),
    strict,
    judged.map((x) => x.row.threshold),
  );
  let confirmed = 0;
  judged.forEach(({ row, logs, context, j }, k) => {
    const { confirmed: ok, level } = decisions[k];
    row.confirmation = {
      median: Math.exp(median(logs)),
      change: j.change,
      contextChange: j.contextChange,
      contextCases: context.length,
      p: j.p,
      ...(level !== undefined ? { level } : {}),
      reruns: logs.length,
      outcome: ok ? 'regression' : 'unchanged',
      confirmed: ok,
    };
    if (ok) confirmed++;
  });
  const measured = judged.length;
  comparison.confirmation = { rerun: measured, confirmed };
  comparison.regressions = confirmed;
}

/**
 * Re-runs of the flagged cases, each in fresh workers: one excursion (a case 20-300% slow in one
 * run, which this VM shows a few times in 420 cases) cannot confirm a regression on its own.
 */
const CONFIRM_REPEATS = 3;

/** Cases of its backend re-run before each flagged one, as they ran before it in the suite. */
const PRECEDING_CASES = 12;

/** Cases of its backend re-run with each flagged one at the least: the following ones make up what precedes it. */
const MIN_CONTEXT_CASES = 6;

/**
 * A case measured alone in a fresh worker does not run as it did within the suite: here a tfjs
 * case ran 50% slower alone, its backend's code not yet warmed by the cases before it. So each
 * flagged case is re-run after the cases of its backend that preceded it in the suite (up to
 * PRECEDING_CASES), in the suite's order. Those cases are also the re-run's context (judgeRerun):
 * a case early in its backend's order has few before it, so cases of its backend that follow it
 * are added until it has MIN_CONTEXT_CASES.
 */
function withContextCases(results: Result[], flaggedKeys: Set<string>): Result[] {
  const chosen = new Set<number>();
  const sameBackend = (j: number, r: Result) => backendOf(results[j]) === backendOf(r);
  results.forEach((r, k) => {
    if (!flaggedKeys.has(caseKey(r))) return;
    chosen.add(k);
    let taken = 0;
    for (let j = k - 1; j >= 0 && taken < PRECEDING_CASES && sameBackend(j, r); j--, taken++) chosen.add(j);
    for (let j = k + 1; j < results.length && taken < MIN_CONTEXT_CASES && sameBackend(j, r); j++, taken++) chosen.add(j);
  });
  return [...chosen].sort((a, b) => a - b).map((k) => results[k]);
}

function backendOf(r: Result): string {
  return `${r.runtime.name}/${r.backend.name}`;
}
