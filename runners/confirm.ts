/**
 * The confirming re-run (compare --confirm): before a regression fails a job, its case is measured
 * again in a fresh worker on this machine and judged against the same baseline. Only a slowdown the
 * re-run repeats counts; one that does not was the run's state, not the code's.
 */
import os from 'node:os';
import type { RuntimeName } from '../src/backends/types.ts';
import { caseKey, judgeCase, type Baseline, type Comparison } from '../src/compare/compare.ts';
import type { CaseSpec } from '../src/execute/case.ts';
import { MEMORY_BUDGET_FRACTION } from '../src/execute/run-case.ts';
import type { ResultsFile } from '../src/results/schema.ts';
import { loadSuite } from '../suites/load.ts';
import { machineFingerprint } from './machine.ts';
import { runCases } from './orchestrator.ts';

/**
 * Re-measures the cases the comparison flagged (at its screening level) and recounts its
 * regressions as those the re-run repeats at the comparison's alpha (in place). Where the run was
 * measured on another machine, nothing can be re-run: the flagged cases are judged once more at
 * alpha, and those that pass stand as unconfirmed regressions.
 */
export async function confirmRegressions(comparison: Comparison, baseline: Baseline, candidate: ResultsFile, log: (line: string) => void): Promise<void> {
  const strict = { threshold: comparison.options.threshold, alpha: comparison.options.alpha };
  const flagged = comparison.cases.filter((c) => c.verdict === 'regression');
  if (flagged.length === 0) return;
  const here = machineFingerprint().id;
  if (here !== candidate.machine.id) {
    let standing = 0;
    for (const row of flagged) {
      const r = candidate.results.find((x) => caseKey(x) === row.key)!;
      const again = judgeCase(baseline, baseline.cases.get(row.key)!, r, strict);
      row.confirmation = { verdict: again.verdict, confirmed: again.verdict === 'regression', note: again.verdict === 'regression' ? 'not re-run (another machine); beyond alpha without a re-run' : 'flagged for a re-run, within alpha without one' };
      if (again.verdict === 'regression') standing++;
    }
    comparison.confirmation = { rerun: 0, confirmed: standing, note: `not re-run: this host is machine ${here} and the run was measured on ${candidate.machine.id}; ${standing} of ${flagged.length} flagged case${flagged.length === 1 ? '' : 's'} stand${standing === 1 ? 's' : ''} as regressions on the first measurement alone` };
    comparison.regressions = standing;
    return;
  }
  const byKey = new Set(flagged.map((c) => c.key));
  const results = candidate.results.filter((r) => byKey.has(caseKey(r)));
  const cases: CaseSpec[] = results.map((r) => ({ id: r.id, runtime: r.runtime.name as RuntimeName, backend: r.backend.name, model: r.model, shape: r.shape }));
  const { suite } = loadSuite(candidate.suite.file);
  log(`confirming ${cases.length} flagged case${cases.length === 1 ? '' : 's'} in a fresh worker…`);
  const rerun = await runCases({
    cases,
    seed: candidate.seed ?? suite.seed,
    measurement: suite.measurement,
    maxWeightBytes: suite.limits.maxWeightBytes,
    memoryBudgetBytes: Math.floor(os.freemem() * MEMORY_BUDGET_FRACTION),
    caseTimeoutMs: 3 * suite.measurement.maxCaseTimeMs + 120_000,
  });
  let confirmed = 0;
  for (const r of rerun) {
    const row = comparison.cases.find((c) => c.key === caseKey(r) && c.verdict === 'regression')!;
    const base = baseline.cases.get(row.key);
    if (r.status !== 'ok' || !r.stats || !base) {
      row.confirmation = { verdict: 'not-measured', confirmed: false, note: r.reason ?? 'the re-run measured nothing' };
      continue;
    }
    const again = judgeCase(baseline, base, r, strict);
    const ok = again.verdict === 'regression';
    row.confirmation = { median: r.stats.median, change: again.change, verdict: again.verdict, confirmed: ok };
    if (ok) confirmed++;
  }
  comparison.confirmation = { rerun: rerun.length, confirmed };
  comparison.regressions = confirmed;
}

