/** `fffbench compare` and `fffbench merge`: commands over results files (no benchmarking). */
import { UserError } from '../src/errors.ts';
import { baselineFromRuns, compareRuns, type Baseline, type Comparison } from '../src/compare/compare.ts';
import { loadResultsFiles } from '../src/results/load.ts';
import { mergeResults } from '../src/results/merge.ts';
import { compareMarkdown, compareTable } from '../reports/compare-format.ts';
import { lastRuns } from '../src/results/history.ts';
import { configuredHistoryDir } from './history.ts';
import { writeJsonAtomic } from './run.ts';

export const COMPARE_HELP = `Usage: fffbench compare BASELINE.json [MORE_BASELINES.json ...] CANDIDATE.json [options]
       fffbench compare --last N [--history DIR] CANDIDATE.json [options]

Matches cases by runtime, backend, model and shape. For each: the relative change of the median
with a 95% bootstrap interval, and a two-sided Mann–Whitney U test on the raw samples. A case is a
regression only when it is significant (p < alpha) and its whole interval lies beyond the
threshold. Runs of one commit differ by more than their samples show (a virtual machine's
neighbours, thread placement): with several baseline runs (--last N, or several BASELINE files),
the baseline is the median of their medians, and each case's threshold is raised to the spread
of those runs' medians.
Results of different machines are never compared: bundles (merge --allow-machines) are compared
machine by machine.

Options:
  --threshold X    smallest slowdown that counts, "5%" or 0.05 (default 5%)
  --alpha A        significance level (default 0.01)
  --format F       md (CI job summary, PR comment), json or table (default table)
  --last N         baseline: the median of the last N runs of this machine and suite in the history
  --history DIR    history directory (default: FFFBENCH_HISTORY or fffbench.config.json)

Exit status: 1 when any regression is found, 0 otherwise, 2 on bad input.`;

export const MERGE_HELP = `Usage: fffbench merge A.json B.json ... -o OUT.json [--allow-machines]

Combines shards of one suite run (run --shard K/N) on one machine into one results file, and
rebuilds the FFF/dense comparisons. Refuses files of different suites, commits or seeds, and
cases that appear twice. Files of several machines are refused unless --allow-machines, which
keeps them as separate groups (one per machine) in a bundle that report and compare read.`;

function parseThreshold(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  if (!m) throw new UserError(`--threshold: expected a percentage like 5% or a fraction like 0.05 (given: ${text})`);
  const value = Number(m[1]) / (m[2] ? 100 : 1);
  if (!(value >= 0 && value < 10)) throw new UserError(`--threshold: out of range (given: ${text})`);
  return value;
}

export interface CompareValues {
  files: string[];
  threshold?: string;
  alpha?: string;
  format?: string;
  last?: string;
  history?: string;
}

export function commandCompare(v: CompareValues): number {
  const threshold = parseThreshold(v.threshold ?? '5%');
  const alpha = Number(v.alpha ?? '0.01');
  if (!(alpha > 0 && alpha < 1)) throw new UserError(`--alpha: expected a number between 0 and 1 (given: ${v.alpha})`);
  const format = v.format ?? 'table';
  if (!['md', 'json', 'table'].includes(format)) throw new UserError(`--format: expected md, json or table (given: ${format})`);

  let baselines: (machineId: string, suite: string, startedAt: string) => Baseline | undefined;
  let candidatePath: string;
  if (v.last !== undefined) {
    const count = Number(v.last);
    if (!Number.isInteger(count) || count < 1) throw new UserError(`--last: expected a whole number of runs ≥ 1 (given: ${v.last})`);
    if (v.files.length !== 1) throw new UserError(`with --last, give only the candidate results file (given ${v.files.length} files)`);
    const dir = v.history ? v.history : configuredHistoryDir();
    if (!dir) throw new UserError('--last needs a history directory: --history DIR, FFFBENCH_HISTORY, or "history" in fffbench.config.json');
    candidatePath = v.files[0];
    baselines = (machineId, suite, startedAt) => {
      const runs = lastRuns(dir, machineId, suite, count, startedAt);
      return runs.length > 0 ? baselineFromRuns(runs) : undefined;
    };
  } else {
    if (v.files.length < 2) throw new UserError(`expected BASELINE.json [MORE_BASELINES.json ...] CANDIDATE.json (given ${v.files.length} file${v.files.length === 1 ? '' : 's'})`);
    const base = v.files.slice(0, -1).flatMap(loadResultsFiles);
    candidatePath = v.files[v.files.length - 1];
    baselines = (machineId) => {
      const runs = base.filter((f) => f.machine.id === machineId);
      return runs.length > 0 ? baselineFromRuns(runs) : undefined;
    };
    const candidateMachines = new Set(loadResultsFiles(candidatePath).map((f) => f.machine.id));
    if (!base.some((f) => candidateMachines.has(f.machine.id))) {
      throw new UserError(`${v.files[0]} and ${candidatePath} share no machine (baseline: ${base.map((f) => f.machine.id).join(', ')}; candidate: ${[...candidateMachines].join(', ')}): results of different machines are never compared as one`);
    }
  }

  const comparisons: Comparison[] = [];
  const notes: string[] = [];
  for (const candidate of loadResultsFiles(candidatePath)) {
    const baseline = baselines(candidate.machine.id, candidate.suite.name, candidate.startedAt);
    if (!baseline) {
      notes.push(`no baseline for machine ${candidate.machine.id} (${candidate.machine.cpuModel}); not compared`);
      continue;
    }
    comparisons.push(compareRuns(baseline, candidate, { threshold, alpha }));
  }
  if (format === 'json') console.log(JSON.stringify({ comparisons, notes }, null, 1));
  else {
    const render = format === 'md' ? compareMarkdown : compareTable;
    console.log([...comparisons.map(render), ...notes.map((n) => (format === 'md' ? `_${n}_` : n))].join('\n\n'));
  }
  return comparisons.some((c) => c.regressions > 0) ? 1 : 0;
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
