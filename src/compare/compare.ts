/**
 * Comparing two runs of one machine: for each case present in both, the relative change of the
 * median with a bootstrap interval, and a Mann–Whitney U test on the raw samples. A case is a
 * regression only when it is significant (p < alpha) AND its whole 95% interval lies beyond the
 * threshold: a point estimate just past 5% is not yet evidence of a 5% slowdown.
 *
 * Samples within one run are not independent of the run: process layout, thread placement and the
 * neighbours of a virtual machine shift a whole run by several percent (seen here: up to 30-40% for
 * multi-threaded and tfjs cases between two runs of one commit). Within-run statistics cannot see
 * that. With several baseline runs (history --last N, or several baseline files), the spread of the
 * per-run medians is each case's measured noise, and the threshold for that case is raised to it.
 */
import { shapeKey } from '../execute/case.ts';
import { UserError } from '../errors.ts';
import { mannWhitneyU, quantileSorted, ratioOfMedians } from '../measure/stats.ts';
import type { Result, ResultsFile } from '../results/schema.ts';

export interface CompareOptions {
  /** Relative slowdown that counts, e.g. 0.05 for 5%. */
  threshold: number;
  alpha: number;
}

export type Verdict = 'regression' | 'improvement' | 'unchanged' | 'unstable' | 'only-in-baseline' | 'only-in-candidate' | 'not-measured';

export interface CaseComparison {
  key: string;
  runtime: string;
  backend: string;
  model: string;
  shape: Result['shape'];
  baselineMedian?: number;
  /** Spread of the baseline runs' medians (max / min − 1), when the baseline has several runs. */
  noise?: number;
  /** The threshold this case was judged against: max(threshold, noise). */
  threshold?: number;
  /** Why an `unstable` case was not judged. */
  note?: string;
  candidateMedian?: number;
  /** candidate / baseline − 1 (positive: slower). */
  change?: number;
  changeCiLow?: number;
  changeCiHigh?: number;
  p?: number;
  verdict: Verdict;
}

export interface MachineState {
  /** The run's calibration (peak GEMM, read bandwidth) moved beyond the baseline runs' spread. */
  changed: boolean;
  reasons: string[];
}

export interface Comparison {
  machineId: string;
  /** Whether this comparison may fail a job: enough baseline runs, and the machine in its usual state. */
  gated: boolean;
  /** Why it is not gated, when it is not. */
  notGatedBecause?: string;
  machineState: MachineState;
  baselineLabel: string;
  candidateLabel: string;
  options: CompareOptions;
  cases: CaseComparison[];
  regressions: number;
  improvements: number;
}

export function caseKey(r: Pick<Result, 'runtime' | 'backend' | 'model' | 'shape'>): string {
  return `${r.runtime.name}/${r.backend.name}/${r.model}/${shapeKey(r.shape)}`;
}

export function label(file: ResultsFile): string {
  return `${file.suite.name} ${file.startedAt}${file.git ? ` ${file.git.commit.slice(0, 8)}${file.git.dirty ? '+dirty' : ''}` : ''}`;
}

/**
 * Baseline samples per case: from one run, or pooled from several runs of the same machine
 * (history); with several runs the baseline median is the median of the per-run medians.
 */
export interface Baseline {
  machineId: string;
  label: string;
  cases: Map<string, { result: Result; samples: number[]; median: number; noise?: number }>;
  /** Per runtime and backend: the calibration GEMM throughput of each baseline run (the sentinel). */
  sentinels: Map<string, number[]>;
}

/**
 * Multi-threaded backends on a small virtual machine can start a whole run in a slow state
 * (seen here: onnxruntime-web's 2-thread GEMM at 13 instead of 48 GFLOP/s in one of four runs
 * of one commit). The calibration runs each backend's GEMM in the same worker before the cases,
 * so it sees that state: where it moved beyond the threshold and the baseline's own spread, the
 * backend's cases are `unstable`, reported but not judged.
 */
function sentinelKey(runtime: string, backend: string): string {
  return `${runtime}/${backend}`;
}

function sentinelsOf(run: ResultsFile): Map<string, number> {
  const out = new Map<string, number>();
  for (const [runtime, c] of Object.entries(run.machine.calibration ?? {})) {
    for (const [backend, flops] of Object.entries(c.gemmFlops)) out.set(sentinelKey(runtime, backend), flops);
  }
  return out;
}

export function baselineFromRuns(runs: ResultsFile[]): Baseline {
  if (runs.length === 0) throw new UserError('no baseline runs');
  const machineId = runs[0].machine.id;
  for (const run of runs) {
    if (run.machine.id !== machineId) throw new UserError(`baseline runs come from different machines (${machineId}, ${run.machine.id}); results of different machines are never compared as one`);
  }
  const grouped = new Map<string, { result: Result; runs: number[][] }>();
  for (const run of runs) {
    for (const r of run.results) {
      if (r.status !== 'ok' || !r.stats) continue;
      const key = caseKey(r);
      const entry = grouped.get(key) ?? { result: r, runs: [] };
      entry.runs.push(r.stats.samples);
      grouped.set(key, entry);
    }
  }
  const cases = new Map<string, { result: Result; samples: number[]; median: number; noise?: number }>();
  for (const [key, entry] of grouped) {
    const medians = entry.runs.map((s) => quantileSorted([...s].sort((a, b) => a - b), 0.5)).sort((a, b) => a - b);
    const noise = medians.length > 1 ? medians[medians.length - 1] / medians[0] - 1 : undefined;
    cases.set(key, { result: entry.result, samples: entry.runs.flat(), median: quantileSorted(medians, 0.5), noise });
  }
  const sentinels = new Map<string, number[]>();
  for (const run of runs) for (const [key, flops] of sentinelsOf(run)) sentinels.set(key, [...(sentinels.get(key) ?? []), flops]);
  return { machineId, label: runs.length === 1 ? label(runs[0]) : `median of ${runs.length} runs (${label(runs[0])} … ${label(runs[runs.length - 1])})`, cases, sentinels };
}

export function compareRuns(baseline: Baseline, candidate: ResultsFile, options: CompareOptions): Comparison {
  if (baseline.machineId !== candidate.machine.id) {
    throw new UserError(`the baseline is from machine ${baseline.machineId} and the candidate from ${candidate.machine.id}: results of different machines are never compared as one (compare each against a baseline of its own machine)`);
  }
  const cases: CaseComparison[] = [];
  const seen = new Set<string>();
  const candidateSentinels = sentinelsOf(candidate);
  const unstable = (runtime: string, backend: string): string | undefined => {
    const now = candidateSentinels.get(sentinelKey(runtime, backend));
    const before = baseline.sentinels.get(sentinelKey(runtime, backend));
    if (now === undefined || !before?.length) return undefined;
    const lo = Math.min(...before);
    const hi = Math.max(...before);
    const allowed = Math.max(options.threshold, hi / lo - 1);
    const moved = now < lo ? lo / now - 1 : now > hi ? now / hi - 1 : 0;
    return moved > allowed
      ? `the backend's calibration GEMM ran at ${(now / 1e9).toFixed(1)} GFLOP/s against ${(lo / 1e9).toFixed(1)}–${(hi / 1e9).toFixed(1)} in the baseline: the machine or the backend's thread pool was in another state`
      : undefined;
  };
  for (const r of candidate.results) {
    const key = caseKey(r);
    seen.add(key);
    const base = baseline.cases.get(key);
    const row: CaseComparison = { key, runtime: r.runtime.name, backend: r.backend.name, model: r.model, shape: r.shape, verdict: 'not-measured' };
    if (r.status !== 'ok' || !r.stats) {
      cases.push({ ...row, baselineMedian: base?.median, verdict: 'not-measured' });
      continue;
    }
    if (!base) {
      cases.push({ ...row, candidateMedian: r.stats.median, verdict: 'only-in-candidate' });
      continue;
    }
    const { ciLow, ciHigh } = ratioOfMedians(r.stats.samples, base.samples);
    const change = r.stats.median / base.median - 1;
    const { p } = mannWhitneyU(base.samples, r.stats.samples);
    const significant = p < options.alpha;
    const threshold = Math.max(options.threshold, base.noise ?? 0);
    const judged: Verdict = significant && ciLow - 1 > threshold ? 'regression' : significant && ciHigh - 1 < -threshold ? 'improvement' : 'unchanged';
    const note = judged === 'unchanged' ? undefined : unstable(r.runtime.name, r.backend.name);
    const verdict: Verdict = note ? 'unstable' : judged;
    cases.push({ ...row, baselineMedian: base.median, candidateMedian: r.stats.median, change, changeCiLow: ciLow - 1, changeCiHigh: ciHigh - 1, p, noise: base.noise, threshold, verdict, ...(note ? { note } : {}) });
  }
  for (const [key, base] of baseline.cases) {
    if (seen.has(key)) continue;
    const r = base.result;
    cases.push({ key, runtime: r.runtime.name, backend: r.backend.name, model: r.model, shape: r.shape, baselineMedian: base.median, verdict: 'only-in-baseline' });
  }
  return {
    machineId: candidate.machine.id,
    gated: true,
    machineState: { changed: false, reasons: [] },
    baselineLabel: baseline.label,
    candidateLabel: label(candidate),
    options,
    cases,
    regressions: cases.filter((c) => c.verdict === 'regression').length,
    improvements: cases.filter((c) => c.verdict === 'improvement').length,
  };
}
