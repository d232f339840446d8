/** `fffbench compare` and `fffbench merge`: commands over results files (compare re-measures flagged cases to confirm them). */
import { UserError } from '../../src/errors.ts';
import { baselineFromRuns, compareRuns, failsJob, type Baseline, type RunComparison } from '../../src/compare/compare.ts';
import { MIN_GATING_RUNS } from '../../src/compare/noise.ts';
import type { ResultsFile } from '../../src/results/schema.ts';
import { confirmRegressions } from '../confirm.ts';
import { loadResultsFiles } from '../../src/results/load.ts';
import { mergeResults } from '../../src/results/merge.ts';
import { compareMarkdown, compareTable } from '../../reports/compare.ts';
import { lastRuns } from '../../src/results/history.ts';
import { historyDir } from '../history-dir.ts';
import { writeJsonAtomic } from '../write-atomic.ts';
import { parseThreshold } from './options.ts';

export const COMPARE_HELP = `Usage: fffbench compare --last N [--history DIR] CANDIDATE.json [options]
       fffbench compare BASELINE.json [MORE_BASELINES.json ...] CANDIDATE.json [options]

Matches cases by runtime (node, node@22, deno, bun: the line, not the exact version), backend,
model and shape. Whole runs shift by more than their samples
show (a virtual machine's neighbours, thread placement), so the noise a regression must beat is
each case's run-to-run spread: with at least ${MIN_GATING_RUNS} baseline runs (--last N from the history,
or several BASELINE files), the candidate's median is tested against the baseline runs' medians
(t prediction test on the log scale, alpha two-sided). A case is a regression when its median lies
beyond that band and beyond --threshold; each row shows the threshold its own noise sets. With
fewer baseline runs the change, its interval from the samples and a Mann–Whitney U p are shown,
but the comparison is not gated: it fails nothing, and says so.
A run whose calibration (peak GEMM, read bandwidth) moved beyond the baseline runs' spread is
labelled "machine state changed" as a whole and not gated. A runtime whose version differs from the
baseline runs' (node 26.10.0 → 26.12.1) is labelled "runtime changed": its cases are shown, not
judged, until every baseline run ran the new version; the other runtimes are judged as before.
Results of different machine ids are never compared unless --allow-machines (shown, never gated);
bundles (merge --allow-machines) are compared machine by machine.

Options:
  --threshold X      smallest slowdown that counts, "5%" or 0.05 (default 5%)
  --alpha A          significance level of a regression (default 0.01)
  --format F         md (CI job summary, PR comment), json or table (default table)
  --last N           baseline: the last N runs of this machine and suite in the history
  --history DIR      history directory (default: FFFBENCH_HISTORY or fffbench.config.json)
  --screen-alpha A   level at which a case is flagged for the confirming re-run (default 0.05)
  --no-confirm       no re-run: a regression is a case beyond --alpha in the first measurement
  --allow-machines   compare against a baseline of another machine id (not gated)

Confirming re-run (the default for a gated comparison): a case flagged at --screen-alpha is
measured again three times in fresh workers on this machine, after the cases of its backend that
ran before it in the suite. It counts as a regression only if the median of its re-runs, net of
how those other cases moved in the re-runs, is beyond --alpha as well (and slower than its
baseline). A fresh worker, or a backend in a slow state for minutes, moves all of a backend's
cases; a regression in the code moves the case against them.

Exit status: 1 when a gated comparison has regressions (confirmed ones unless --no-confirm), 0
otherwise, 2 on bad input.`;

export const MERGE_HELP = `Usage: fffbench merge A.json B.json ... -o OUT.json [--allow-machines]

Combines shards of one suite run (run --shard K/N) on one machine into one results file, and
rebuilds the FFF/dense comparisons. Refuses files of different suites, commits or seeds, and
cases that appear twice. Files of several machines are refused unless --allow-machines, which
keeps them as separate groups (one per machine) in a bundle that report and compare read.`;

export interface CompareValues {
  files: string[];
  threshold?: string;
  alpha?: string;
  format?: string;
  last?: string;
  history?: string;
  screenAlpha?: string;
  noConfirm?: boolean;
  allowMachines?: boolean;
}

export async function commandCompare(v: CompareValues): Promise<number> {
  const threshold = parseThreshold(v.threshold ?? '5%');
  const alpha = Number(v.alpha ?? '0.01');
  if (!(alpha > 0 && alpha < 1)) throw new UserError(`--alpha: expected a number between 0 and 1 (given: ${v.alpha})`);
  const screenAlpha = Number(v.screenAlpha ?? '0.05');
  if (!(screenAlpha >= alpha && screenAlpha < 1))
    throw new UserError(`--screen-alpha: expected a number from --alpha (${alpha}) to 1 (given: ${v.screenAlpha})`);
  const format = v.format ?? 'table';
  if (!['md', 'json', 'table'].includes(format)) throw new UserError(`--format: expected md, json or table (given: ${format})`);

  let baselines: (candidate: ResultsFile) => Baseline | undefined;
  let candidatePath: string;
  if (v.last !== undefined) {
    const count = Number(v.last);
    if (!Number.isInteger(count) || count < 1) throw new UserError(`--last: expected a whole number of runs ≥ 1 (given: ${v.last})`);
    if (v.files.length !== 1) throw new UserError(`with --last, give only the candidate results file (given ${v.files.length} files)`);
    const dir = historyDir(v.history, '--last');
    candidatePath = v.files[0];
    baselines = (candidate) => {
      const runs = lastRuns(dir, candidate.machine.id, candidate.suite.name, count, candidate.startedAt);
      return runs.length > 0 ? baselineFromRuns(runs) : undefined;
    };
  } else {
    if (v.files.length < 2)
      throw new UserError(`expected BASELINE.json [MORE_BASELINES.json ...] CANDIDATE.json (given ${v.files.length} file${v.files.length === 1 ? '' : 's'})`);
    const base = v.files.slice(0, -1).flatMap(loadResultsFiles);
    candidatePath = v.files[v.files.length - 1];
    const baseMachines = [...new Set(base.map((f) => f.machine.id))];
    baselines = (candidate) => {
      const own = base.filter((f) => f.machine.id === candidate.machine.id);
      if (own.length > 0) return baselineFromRuns(own);
      // --allow-machines with one baseline machine: compare across, labelled and ungated
      return v.allowMachines && baseMachines.length === 1 ? baselineFromRuns(base) : undefined;
    };
    const candidateMachines = new Set(loadResultsFiles(candidatePath).map((f) => f.machine.id));
    if (!v.allowMachines && !base.some((f) => candidateMachines.has(f.machine.id))) {
      throw new UserError(
        `${v.files[0]} and ${candidatePath} share no machine id (baseline: ${baseMachines.join(', ')}; candidate: ${[...candidateMachines].join(', ')}): results of different machines are never compared as one; --allow-machines shows the differences, ungated`,
      );
    }
  }

  const comparisons: RunComparison[] = [];
  const notes: string[] = [];
  for (const candidate of loadResultsFiles(candidatePath)) {
    const baseline = baselines(candidate);
    if (!baseline) {
      notes.push(`no baseline for machine ${candidate.machine.id} (${candidate.machine.cpuModel}); not compared`);
      continue;
    }
    const strict = compareRuns(baseline, candidate, { threshold, alpha, allowMachines: v.allowMachines });
    if (v.noConfirm || !strict.gated) {
      comparisons.push(strict);
      continue;
    }
    const comparison = compareRuns(baseline, candidate, { threshold, alpha, screenAlpha, allowMachines: v.allowMachines });
    await confirmRegressions(comparison, baseline, candidate, (line) => console.error(line));
    comparisons.push(comparison);
  }
  if (format === 'json') console.log(JSON.stringify({ comparisons, notes }, null, 1));
  else {
    const render = format === 'md' ? compareMarkdown : compareTable;
    console.log([...comparisons.map(render), ...notes.map((n) => (format === 'md' ? `_${n}_` : n))].join('\n\n'));
  }
  return comparisons.some(failsJob) ? 1 : 0;
}

export function commandMerge(files: string[], out: string | undefined, allowMachines: boolean): number {
  if (!out) throw new UserError('merge needs -o OUT.json');
  if (files.length === 0) throw new UserError('merge needs at least one results file');
  const inputs = files.flatMap((name) => loadResultsFiles(name).map((file) => ({ file, name })));
  const merged = mergeResults(inputs, allowMachines);
  writeJsonAtomic(out, merged);
  const groups = 'bundle' in merged ? merged.bundle : [merged];
  for (const g of groups) console.log(`${g.machine.id} (${g.machine.cpuModel}): ${g.results.length} cases, ${g.comparisons.length} comparisons`);
  console.log(`merged: ${out}`);
  return 0;
}
