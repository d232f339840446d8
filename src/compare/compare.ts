/**
 * Comparing a run with earlier runs of the same machine and suite (regressions).
 *
 * Whole runs shift: process layout, thread placement and a virtual machine's neighbours move
 * every sample of a run together (seen here: 15% on a dense js case, 15-135% on multi-threaded
 * ones, between two runs of one commit). Samples within one run cannot see that, so an interval
 * built from them is narrow and wrong. The noise a regression must beat is the spread of a case's
 * per-run medians across earlier runs (as Bencher and conbench do): with at least MIN_GATING_RUNS
 * baseline runs, each case's candidate median is tested against its history's run medians on the
 * log scale, with the backend's typical run-to-run spread as the noise (src/compare/noise.ts).
 * With fewer, the within-run statistics are still shown, but the comparison says it is not gated
 * and fails nothing. A flagged case can then be measured again (runners/confirm.ts).
 *
 * A run whose calibration (peak GEMM, read bandwidth, measured before the cases) moved beyond its
 * history's spread is labelled "machine state changed" as a whole: its per-case changes are
 * shown, not counted as regressions.
 *
 * A runtime whose version differs from its baseline runs' (a pin moved, a Node line upgraded) is
 * labelled "runtime changed" in the same spirit, but only for that runtime: its cases are shown
 * with their change, outcome 'runtime-changed', never counted, and its calibration is not read for
 * the machine state; the other runtimes are judged as before. The engine's difference is not the
 * code's. It is judged again once every baseline run ran the candidate's version.
 */
import { UserError } from '../errors.ts';
import { mannWhitneyU, median, ratioOfMedians } from '../measure/stats.ts';
import { backendScales, judgeRunMedians, MIN_GATING_RUNS, type BackendScale, type CompareOptions, type RunMedianJudgement } from './noise.ts';
import { caseId } from '../model/case.ts';
import { oneThreadReadBandwidth } from '../results/method.ts';
import type { Result, ResultsFile } from '../results/schema.ts';

/** A calibration figure (peak GEMM, read bandwidth) that moves by less than this never marks a machine state change. */
const MACHINE_STATE_MIN_CHANGE = 0.1;

/** What became of one case between the baseline runs and the candidate (not a claim outcome: src/claims/verdicts.ts). */
export type ChangeLabel =
  | 'regression'
  | 'improvement'
  | 'unchanged'
  | 'unstable'
  | 'runtime-changed'
  | 'only-in-baseline'
  | 'only-in-candidate'
  | 'not-timed'
  | 'failed-in-candidate';

/** What a confirming re-run (compare --confirm) measured for a flagged case. */
export interface Confirmation {
  /** The re-runs' median of medians. */
  median?: number;
  change?: number;
  /** The median change of the unflagged cases of the backend re-run alongside (netted out), and how many there were. */
  contextChange?: number;
  contextCases?: number;
  /** p of the re-runs' change net of the context's, and the Holm level it was tested at (absent once the procedure stopped). */
  p?: number;
  level?: number;
  reruns?: number;
  outcome: ChangeLabel;
  /** The re-run is judged as the case was, against the same baseline: only a repeated outcome confirms. */
  confirmed: boolean;
  note?: string;
}

/** One case's paired rounds (fffbench ab): each base round and the head round run beside it. */
export interface PairedRounds {
  /** Each base round's ns per call (the lower quartile of its samples: roundStatistic in src/measure/measure.ts)… */
  base: number[];
  /** …and of the head round paired with it. */
  head: number[];
  /** Whether the pair's head round ran first (the order is balanced and shuffled per case). */
  headFirst: boolean[];
}

/** A case measured by fffbench ab: its rounds, and what they showed (src/compare/paired.ts). */
export interface PairedCase extends PairedRounds {
  /** Pairs of rounds judged. */
  rounds: number;
  /** Paired spread: the robust standard deviation (1.4826 × MAD) of the per-pair log ratio head/base, about the relative spread of one pair's ratio. */
  spread: number;
  /** The Holm level at which the case's p was rejected (undefined when it was not). */
  level?: number;
}

/** A revision fffbench ab measured. */
export interface PairedRevision {
  /** As given (--base, --head), or "working tree". */
  revision: string;
  commit: string;
  /** The working tree had uncommitted changes to tracked files (measured as they were). */
  dirty?: boolean;
}

/** How fffbench ab ran: the two revisions, and the rounds per case. */
export interface PairedRun {
  base: PairedRevision;
  head: PairedRevision;
  /** Pairs of rounds per case (one base round and one head round each). */
  rounds: number;
  /** Pairs run before them and not counted (warm-up). */
  warmupPairs: number;
  /** The length of one round the plan aims at (the suite's minTimeMs spread over the rounds). */
  roundMs: number;
  /** The pause after each round, for the other worker's thread pools to fall idle. */
  settleMs: number;
  /** Most cases whose pairs ran interleaved (absent in files from before interleaving: 1). */
  interleave?: number;
}

export interface CaseChange {
  key: string;
  runtime: string;
  backend: string;
  model: string;
  shape: Result['shape'];
  /** Median of the baseline runs' medians. */
  baselineMedian?: number;
  /** Baseline runs with this case. */
  baselineRuns?: number;
  /** Run-to-run noise on the log scale (≥ MIN_GATING_RUNS runs; see BackendScale in noise.ts). */
  noise?: number;
  /** The smallest change this case is judged to be a regression at: max(--threshold, what its noise allows). */
  threshold?: number;
  /** Why an `unstable` or `runtime-changed` case was not judged. */
  note?: string;
  candidateMedian?: number;
  /** candidate / baseline − 1 (positive: slower). */
  change?: number;
  changeCiLow?: number;
  changeCiHigh?: number;
  p?: number;
  /**
   * run-medians: the candidate median against the baseline runs' medians; samples: within-run
   * samples only (not gated); paired-rounds: base and head measured interleaved (fffbench ab, paired.ts).
   */
  test?: 'run-medians' | 'samples' | 'paired-rounds';
  outcome: ChangeLabel;
  confirmation?: Confirmation;
  /** fffbench ab: the case's paired rounds and what they showed. */
  paired?: PairedCase;
}

/** A runtime that ran another version in the candidate than in (some of) the baseline runs. */
export interface RuntimeChange {
  runtime: string;
  /** The versions the baseline runs ran, each with how many runs ran it, oldest first. */
  from: { version: string; runs: number }[];
  /** The candidate's version(s) (more than one only in a file merged from shards that differed). */
  to: string[];
}

export interface MachineState {
  /** The run's calibration (peak GEMM, read bandwidth) moved beyond the baseline runs' spread. */
  changed: boolean;
  reasons: string[];
}

/** A run against its baseline runs of the same machine and suite (not an FFF/dense pair: SpeedupPair). */
export interface RunComparison {
  machineId: string;
  /** Set when the candidate is from another machine than the baseline (compare --allow-machines). */
  candidateMachineId?: string;
  /** Whether this comparison may fail a job: enough baseline runs, and the machine in its usual state. */
  gated: boolean;
  /** Why it is not gated, when it is not. */
  notGatedBecause?: string;
  machineState: MachineState;
  /** Runtimes whose version changed: their cases are shown, not judged (outcome 'runtime-changed'). */
  runtimeChanges: RuntimeChange[];
  baselineLabel: string;
  candidateLabel: string;
  baselineRuns: number;
  options: CompareOptions;
  cases: CaseChange[];
  /** Cases judged regressions (when confirming: confirmed by the re-run). */
  regressions: number;
  improvements: number;
  /** Whether flagged cases were measured again (compare --confirm), and what came of it. */
  confirmation?: { rerun: number; confirmed: number; note?: string };
  /** fffbench ab: the two revisions, measured interleaved in this run (baseline: base, candidate: head). */
  paired?: PairedRun;
}

export function caseKey(r: Pick<Result, 'runtime' | 'backend' | 'model' | 'shape'>): string {
  // A GPU backend's case is only the same case on the same adapter.
  const adapter = r.backend.adapter ? `@${r.backend.adapter}` : '';
  return caseId(r.runtime.name, `${r.backend.name}${adapter}`, r.model, r.shape);
}

export function label(file: ResultsFile): string {
  return `${file.suite.name} ${file.startedAt}${file.git ? ` ${file.git.commit.slice(0, 8)}${file.git.dirty ? '+dirty' : ''}` : ''}`;
}

export interface BaselineCase {
  result: Result;
  /** One median per baseline run that measured the case, oldest first. */
  runMedians: number[];
  /** Every baseline run's raw samples, pooled (empty for runs reduced by history --prune). */
  samples: number[];
}

/** Per runtime: the calibration figures of one run that say what state the machine was in. */
type RunCalibration = Map<string, { peakFlops: number; readBandwidth: number }>;

export interface Baseline {
  machineId: string;
  label: string;
  runs: number;
  cases: Map<string, BaselineCase>;
  /** Per runtime and backend: the typical run-to-run spread of its cases. */
  backendScales: Map<string, BackendScale>;
  /** Per runtime and backend: the calibration GEMM throughput (FLOP/s) of each baseline run, the backend's check on its own state. */
  calibrationGemmFlops: Map<string, number[]>;
  calibrations: RunCalibration[];
  /** Per run, per runtime: the version(s) its results ran on. */
  runtimeVersions: Map<string, Set<string>>[];
}

/** Per runtime: the version(s) a run's measured results ran on. */
export function runtimeVersionsOf(run: ResultsFile): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const r of run.results) {
    if (r.status !== 'ok') continue;
    const versions = out.get(r.runtime.name) ?? new Set<string>();
    versions.add(r.runtime.version);
    out.set(r.runtime.name, versions);
  }
  return out;
}

/** The runtimes the candidate ran in another version than every baseline run that measured them did. */
export function runtimeChanges(baseline: Pick<Baseline, 'runtimeVersions'>, candidate: ResultsFile): RuntimeChange[] {
  const changes: RuntimeChange[] = [];
  for (const [runtime, now] of runtimeVersionsOf(candidate)) {
    const counts = new Map<string, number>();
    for (const run of baseline.runtimeVersions) for (const v of run.get(runtime) ?? []) counts.set(v, (counts.get(v) ?? 0) + 1);
    if (counts.size === 0) continue;
    const same = now.size === 1 && counts.size === 1 && counts.has([...now][0]);
    if (!same) changes.push({ runtime, from: [...counts].map(([version, runs]) => ({ version, runs })), to: [...now] });
  }
  return changes;
}

/** "node 26.10.0 → 26.12.1" (with run counts where the baseline ran several). */
export function runtimeChangeText(c: RuntimeChange): string {
  const from = c.from.length === 1 ? c.from[0].version : c.from.map((f) => `${f.version} (${f.runs} run${f.runs === 1 ? '' : 's'})`).join(', ');
  return `${c.runtime} ${from} → ${c.to.join(', ')}`;
}

/** "node/wasm-mt": a runtime's backend, the key of its spread and its calibration GEMM. */
function backendKey(runtime: string, backend: string): string {
  return `${runtime}/${backend}`;
}

/** Per runtime and backend: the run's calibration GEMM throughput (FLOP/s). */
function calibrationGemmFlopsOf(run: ResultsFile): Map<string, number> {
  const out = new Map<string, number>();
  for (const [runtime, c] of Object.entries(run.machine.calibration ?? {})) {
    for (const [backend, flops] of Object.entries(c.gemmFlops)) out.set(backendKey(runtime, backend), flops);
  }
  return out;
}

function calibrationOf(run: ResultsFile): RunCalibration {
  // One thread's read bandwidth: the figure every results file has (method 1 files hold it as
  // readBandwidth: src/results/method.ts), so a history spanning that change compares like with like.
  return new Map(
    Object.entries(run.machine.calibration ?? {}).map(([runtime, c]) => [
      runtime,
      { peakFlops: c.peakFlops, readBandwidth: oneThreadReadBandwidth(c) ?? c.readBandwidth },
    ]),
  );
}

export function baselineFromRuns(runs: ResultsFile[]): Baseline {
  if (runs.length === 0) throw new UserError('no baseline runs');
  const machineId = runs[0].machine.id;
  for (const run of runs) {
    if (run.machine.id !== machineId)
      throw new UserError(
        `baseline runs come from different machines (${machineId}, ${run.machine.id}); results of different machines are never compared as one`,
      );
  }
  const cases = new Map<string, BaselineCase>();
  for (const run of runs) {
    for (const r of run.results) {
      if (r.status !== 'ok' || !r.stats) continue;
      const key = caseKey(r);
      const entry = cases.get(key) ?? { result: r, runMedians: [], samples: [] };
      entry.result = r;
      entry.runMedians.push(r.stats.median);
      for (const s of r.stats.samples) entry.samples.push(s);
      cases.set(key, entry);
    }
  }
  const calibrationGemmFlops = new Map<string, number[]>();
  for (const run of runs)
    for (const [key, flops] of calibrationGemmFlopsOf(run)) calibrationGemmFlops.set(key, [...(calibrationGemmFlops.get(key) ?? []), flops]);
  return {
    machineId,
    label: runs.length === 1 ? label(runs[0]) : `${runs.length} runs (${label(runs[0])} … ${label(runs[runs.length - 1])})`,
    runs: runs.length,
    cases,
    backendScales: backendScales(
      [...cases.values()].map((c) => ({ backend: backendKey(c.result.runtime.name, c.result.backend.name), runMedians: c.runMedians })),
    ),
    calibrationGemmFlops,
    calibrations: runs.map(calibrationOf),
    runtimeVersions: runs.map(runtimeVersionsOf),
  };
}

/** Within-run statistics only (fewer than MIN_GATING_RUNS baseline runs): shown, never gated. */
function judgeSamples(base: BaselineCase, r: Result, options: CompareOptions): Omit<RunMedianJudgement, 'noise'> & { noise?: number } {
  const change = r.stats!.median / median(base.runMedians) - 1;
  const spread = Math.max(...base.runMedians) / Math.min(...base.runMedians) - 1;
  const threshold = Math.max(options.threshold, spread);
  if (base.samples.length === 0 || r.stats!.samples.length === 0) {
    // runs reduced by history --prune keep no samples: only the change itself can be shown
    return { change, changeCiLow: change, changeCiHigh: change, p: 1, threshold, outcome: 'unchanged' };
  }
  const { ciLow, ciHigh } = ratioOfMedians(r.stats!.samples, base.samples);
  const { p } = mannWhitneyU(base.samples, r.stats!.samples);
  const significant = p < options.alpha;
  const outcome = significant && ciLow - 1 > threshold ? 'regression' : significant && ciHigh - 1 < -threshold ? 'improvement' : 'unchanged';
  return { change, changeCiLow: ciLow - 1, changeCiHigh: ciHigh - 1, p, threshold, outcome };
}

/** Judges one measured case against its baseline: the run-median test when the baseline has enough runs. */
export function judgeCase(
  baseline: Baseline,
  base: BaselineCase,
  r: Result,
  options: CompareOptions,
): Omit<RunMedianJudgement, 'noise'> & { noise?: number; test: 'run-medians' | 'samples'; baselineMedian: number } {
  if (base.runMedians.length >= MIN_GATING_RUNS) {
    const j = judgeRunMedians(base.runMedians, r.stats!.median, options, baseline.backendScales.get(backendKey(r.runtime.name, r.backend.name)));
    return { ...j, test: 'run-medians', baselineMedian: median(base.runMedians) };
  }
  return { ...judgeSamples(base, r, options), test: 'samples', baselineMedian: median(base.runMedians) };
}

/** Whether the candidate's calibration moved beyond its history: the whole run is then "machine state changed". */
export function machineStateChange(
  baseline: Baseline,
  candidate: ResultsFile,
  options: CompareOptions,
  changedRuntimes: ReadonlySet<string> = new Set(),
): MachineState {
  const reasons: string[] = [];
  const figures = [
    ['peak GEMM', 'peakFlops', 1e9, 'GFLOP/s'],
    ['one-thread read bandwidth', 'readBandwidth', 1e9, 'GB/s'],
  ] as const;
  for (const [runtime, now] of calibrationOf(candidate)) {
    // another engine calibrates differently on the same machine: its figures say nothing of the machine
    if (changedRuntimes.has(runtime)) continue;
    for (const [name, field, scale, unit] of figures) {
      const before = baseline.calibrations.map((c) => c.get(runtime)?.[field]).filter((x): x is number => x !== undefined && x > 0);
      if (before.length === 0 || !(now[field] > 0)) continue;
      const shown = `${runtime} ${name} ${(now[field] / scale).toFixed(1)} ${unit} against ${(Math.min(...before) / scale).toFixed(1)}–${(Math.max(...before) / scale).toFixed(1)} in the baseline`;
      if (before.length >= MIN_GATING_RUNS) {
        const j = judgeRunMedians(before, now[field], { threshold: Math.max(MACHINE_STATE_MIN_CHANGE, options.threshold), alpha: options.alpha });
        if (j.outcome !== 'unchanged') reasons.push(`${shown} (${j.change > 0 ? '+' : ''}${(j.change * 100).toFixed(0)}%, beyond the runs' spread)`);
      } else {
        // too few runs for a spread: only a large move counts
        const lo = Math.min(...before);
        const hi = Math.max(...before);
        const moved = now[field] < lo ? lo / now[field] - 1 : now[field] > hi ? now[field] / hi - 1 : 0;
        if (moved > Math.max(0.25, hi / lo - 1)) reasons.push(`${shown} (moved ${(moved * 100).toFixed(0)}%)`);
      }
    }
  }
  return { changed: reasons.length > 0, reasons };
}

export interface CompareRunsOptions extends CompareOptions {
  /** Compare a candidate of another machine id (compare --allow-machines): labelled, never gated. */
  allowMachines?: boolean;
}

export function compareRuns(baseline: Baseline, candidate: ResultsFile, options: CompareRunsOptions): RunComparison {
  const acrossMachines = baseline.machineId !== candidate.machine.id;
  if (acrossMachines && !options.allowMachines) {
    throw new UserError(
      `the baseline is from machine ${baseline.machineId} and the candidate from ${candidate.machine.id}: results of different machines are never compared as one (compare each against a baseline of its own machine, or pass --allow-machines to see the differences, ungated)`,
    );
  }
  const judging: CompareOptions = { threshold: options.threshold, alpha: options.alpha, ...(options.screenAlpha ? { screenAlpha: options.screenAlpha } : {}) };
  const cases: CaseChange[] = [];
  const seen = new Set<string>();
  const candidateGemmFlops = calibrationGemmFlopsOf(candidate);
  const changedRuntimes = runtimeChanges(baseline, candidate);
  const changedText = new Map(changedRuntimes.map((c) => [c.runtime, runtimeChangeText(c)]));
  /**
   * Multi-threaded backends on a small virtual machine can start a whole run in a slow state
   * (seen here: onnxruntime-web's 2-thread GEMM at 13 instead of 48 GFLOP/s in one of four runs of
   * one commit). Each backend's GEMM is calibrated in the same worker before its cases: where it
   * moved beyond the threshold and the baseline's own spread, the backend's changed cases are
   * `unstable`, reported but not judged.
   */
  const unstable = (runtime: string, backend: string): string | undefined => {
    const now = candidateGemmFlops.get(backendKey(runtime, backend));
    const before = baseline.calibrationGemmFlops.get(backendKey(runtime, backend));
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
    const row: CaseChange = { key, runtime: r.runtime.name, backend: r.backend.name, model: r.model, shape: r.shape, outcome: 'not-timed' };
    if (r.status !== 'ok' || !r.stats) {
      cases.push({ ...row, outcome: 'not-timed' });
      continue;
    }
    if (!base) {
      cases.push({ ...row, candidateMedian: r.stats.median, outcome: 'only-in-candidate' });
      continue;
    }
    const j = judgeCase(baseline, base, r, judging);
    const runtimeChanged = changedText.get(r.runtime.name);
    const note = j.outcome === 'unchanged' ? undefined : runtimeChanged ? `runtime changed: ${runtimeChanged}` : unstable(r.runtime.name, r.backend.name);
    cases.push({
      ...row,
      baselineMedian: j.baselineMedian,
      baselineRuns: base.runMedians.length,
      candidateMedian: r.stats.median,
      change: j.change,
      changeCiLow: j.changeCiLow,
      changeCiHigh: j.changeCiHigh,
      p: j.p,
      noise: j.noise,
      threshold: j.threshold,
      test: j.test,
      outcome: note ? (runtimeChanged ? 'runtime-changed' : 'unstable') : j.outcome,
      ...(note ? { note } : {}),
    });
  }
  for (const [key, base] of baseline.cases) {
    if (seen.has(key)) continue;
    const r = base.result;
    cases.push({
      key,
      runtime: r.runtime.name,
      backend: r.backend.name,
      model: r.model,
      shape: r.shape,
      baselineMedian: r.stats!.median,
      baselineRuns: base.runMedians.length,
      outcome: 'only-in-baseline',
    });
  }
  const machineState = acrossMachines
    ? { changed: false, reasons: [] }
    : machineStateChange(baseline, candidate, { threshold: options.threshold, alpha: options.alpha }, new Set(changedText.keys()));
  const notGatedBecause = acrossMachines
    ? `the candidate is from machine ${candidate.machine.id} and the baseline from ${baseline.machineId} (--allow-machines): the differences are the machines', not the code's`
    : machineState.changed
      ? `machine state changed: ${machineState.reasons.join('; ')}. The whole run is set aside, not its cases flagged.`
      : baseline.runs < MIN_GATING_RUNS
        ? `${baseline.runs} baseline run${baseline.runs === 1 ? '' : 's'}: thresholds come from the run-to-run spread of medians, which needs at least ${MIN_GATING_RUNS} runs of this machine and suite (--last N with a history). The within-run statistics shown cannot see whole-run shifts, so nothing here fails the job.`
        : undefined;
  return {
    machineId: baseline.machineId,
    ...(acrossMachines ? { candidateMachineId: candidate.machine.id } : {}),
    gated: notGatedBecause === undefined,
    ...(notGatedBecause ? { notGatedBecause } : {}),
    machineState,
    runtimeChanges: changedRuntimes,
    baselineLabel: baseline.label,
    candidateLabel: label(candidate),
    baselineRuns: baseline.runs,
    options: judging,
    cases,
    regressions: cases.filter((c) => c.outcome === 'regression').length,
    improvements: cases.filter((c) => c.outcome === 'improvement').length,
  };
}

/**
 * Whether a comparison fails the job: gated, with regressions (confirmed ones, when a re-run
 * confirmed), or with a case whose candidate failed or gave wrong output where the baseline did not.
 */
export function failsJob(c: RunComparison): boolean {
  return c.gated && (c.regressions > 0 || c.cases.some((x) => x.outcome === 'failed-in-candidate'));
}
