/**
 * The trend of one suite on one machine over its result history, as plain data (no printing): per
 * run, each case's median and 95% interval, and which cases the project's comparison
 * (src/compare/compare.ts) marks as regressed or improved against the runs just before.
 *
 * Each shown run is compared with up to COMPARISON_WINDOW runs before it, taken from the whole
 * history (so the first run shown with --last N still has a baseline). A run whose machine state
 * changed (its calibration moved) is marked as a whole, and its per-case outcomes are set aside: a
 * shifted machine is not a regression of the code.
 */
import { baselineFromRuns, caseKey, compareRuns, runtimeChangeText, type CaseChange, type RunComparison } from '../../src/compare/compare.ts';
import type { CompareOptions } from '../../src/compare/noise.ts';
import type { HistoryEntry } from '../../src/results/history.ts';
import type { Machine, Result, ResultsFile } from '../../src/results/schema.ts';
import { formatShape } from '../../src/text/format.ts';

/** The comparison nightly CI gates on: 5% and p < 0.01. */
export const TREND_OPTIONS: CompareOptions = { threshold: 0.05, alpha: 0.01 };
/** How many runs before a run form its baseline (the nightly workflow's --last 5). */
export const COMPARISON_WINDOW = 5;

export interface TrendRun {
  /** 1-based position of the run in this machine's history of the suite (stable while runs are only added). */
  number: number;
  path: string;
  file: ResultsFile;
  date: string;
  /** Short commit, "+" when the tree was dirty; "no git" when the run recorded none. */
  commit: string;
  /** The x-axis label: date and short commit (with the time too where two runs would share a label). */
  label: string;
  /** `history --prune` dropped its raw samples; medians and intervals remain. */
  reduced: boolean;
  /** Numbers of the runs it was compared with (empty for the first run of the history). */
  comparedWith: number[];
  comparison?: RunComparison;
  /** Why the run has no comparison: the first run, or the comparison could not be made. */
  notCompared?: string;
  gated: boolean;
  notGatedBecause?: string;
  machineStateChanged: boolean;
  machineStateReasons: string[];
  /** Regressions and improvements left unmarked because the machine state changed. */
  setAside: number;
  /** Cases the comparison called unstable (backend in another state; reported, not judged). */
  unstable: number;
  /** Runtimes whose version changed against the runs before ("node 26.10.0 → 26.12.1"): their cases are not judged. */
  runtimeChanges: string[];
}

export interface CasePoint {
  median: number;
  ciLow: number;
  ciHigh: number;
}

export type Direction = 'regression' | 'improvement';

export interface TrendMark {
  runIndex: number;
  key: string;
  outcome: Direction;
  /** run median / baseline median − 1, with its 95% interval. */
  change: number;
  changeCiLow?: number;
  changeCiHigh?: number;
  baselineMedian: number;
  /** The threshold the case was judged against (raised to the baseline's spread where larger). */
  threshold: number;
  /** False when the comparison was not gated (too few runs before it): shown as "not gated". */
  gated: boolean;
}

export interface TrendCase {
  key: string;
  runtime: string;
  backend: string;
  model: Result['model'];
  shape: Result['shape'];
  /** "node · wasm · fff · i768 o768 d12 ℓ32 b256" */
  label: string;
  /** The chart it is drawn in: "node · wasm · fff". */
  group: string;
  /** Per shown run (same index as Trend.runs); undefined where the run did not measure the case. */
  points: (CasePoint | undefined)[];
  marks: TrendMark[];
}

/** A case that moved and stayed moved up to the latest run. */
export interface Movement {
  key: string;
  outcome: Direction;
  /** The mark where the move began. */
  since: TrendMark;
  /** The latest run's median against the baseline before the move, − 1. */
  changeNow: number;
}

export interface Trend {
  machine: Machine;
  suite: string;
  /** The runs shown (the last N of the history, oldest first). */
  runs: TrendRun[];
  /** Runs of this suite on this machine in the whole history. */
  historyLength: number;
  cases: TrendCase[];
  marks: TrendMark[];
  moved: Movement[];
  options: CompareOptions;
  window: number;
}

const shortCommit = (file: ResultsFile) => (file.git ? file.git.commit.slice(0, 7) + (file.git.dirty ? '+' : '') : 'no git');

function compareWithBefore(entries: HistoryEntry[], index: number): Pick<TrendRun, 'comparedWith' | 'comparison' | 'notCompared'> {
  const from = Math.max(0, index - COMPARISON_WINDOW);
  const before = entries.slice(from, index);
  const comparedWith = before.map((_, k) => from + k + 1);
  if (before.length === 0) return { comparedWith, notCompared: 'the first run of this suite on this machine: nothing before it to compare with' };
  try {
    return { comparedWith, comparison: compareRuns(baselineFromRuns(before.map((e) => e.file)), entries[index].file, TREND_OPTIONS) };
  } catch (err) {
    // One run that cannot be compared (a damaged or odd file) should not hide the rest of the trend.
    return { comparedWith, notCompared: `not compared: ${(err as Error).message}` };
  }
}

function trendRun(entries: HistoryEntry[], index: number): TrendRun {
  const { path, file } = entries[index];
  const compared = compareWithBefore(entries, index);
  const c = compared.comparison;
  const changed = c?.machineState.changed ?? false;
  const moved = (c?.cases ?? []).filter((k) => k.outcome === 'regression' || k.outcome === 'improvement').length;
  return {
    number: index + 1,
    path,
    file,
    date: file.startedAt.slice(0, 10),
    commit: shortCommit(file),
    label: '',
    reduced: Boolean(file.reduced),
    ...compared,
    gated: c?.gated ?? false,
    notGatedBecause: c ? c.notGatedBecause : compared.notCompared,
    machineStateChanged: changed,
    machineStateReasons: c?.machineState.reasons ?? [],
    setAside: changed ? moved : 0,
    unstable: (c?.cases ?? []).filter((k) => k.outcome === 'unstable').length,
    runtimeChanges: (c?.runtimeChanges ?? []).map(runtimeChangeText),
  };
}

/** Labels the x axis can tell apart: date and commit, plus the time (then the run number) where two runs would share one. */
function labelRuns(runs: TrendRun[]): void {
  const unique = (labels: string[]) => new Set(labels).size === labels.length;
  let labels = runs.map((r) => `${r.date} ${r.commit}`);
  if (!unique(labels)) labels = runs.map((r) => `${r.date} ${r.file.startedAt.slice(11, 16)} ${r.commit}`);
  if (!unique(labels)) labels = runs.map((r, k) => `#${r.number} ${labels[k]}`);
  runs.forEach((r, k) => {
    r.label = labels[k] + (r.machineStateChanged ? ' ⚠' : '');
  });
}

/** The regressions and improvements a run's comparison found; none when the machine state changed. */
export function marksOf(runIndex: number, comparison: RunComparison): TrendMark[] {
  if (comparison.machineState.changed) return [];
  const moved = comparison.cases.filter((c): c is CaseChange & { outcome: Direction } => c.outcome === 'regression' || c.outcome === 'improvement');
  return moved.map((c) => ({
    runIndex,
    key: c.key,
    outcome: c.outcome,
    change: c.change ?? (c.candidateMedian ?? NaN) / (c.baselineMedian ?? NaN) - 1,
    changeCiLow: c.changeCiLow,
    changeCiHigh: c.changeCiHigh,
    baselineMedian: c.baselineMedian ?? NaN,
    threshold: c.threshold ?? comparison.options.threshold,
    gated: comparison.gated,
  }));
}

/**
 * The first mark of the case after which every later run (machine-state runs aside) stayed beyond
 * the mark's threshold, on the mark's side of the baseline before it: "moved since then". A move
 * that went back is not reported as moved (its marks stay in the tables).
 */
export function movementOf(c: TrendCase, runs: TrendRun[]): Movement | undefined {
  const last = runs.length - 1;
  const latest = c.points[last];
  if (!latest) return undefined;
  const sign = (d: Direction) => (d === 'regression' ? 1 : -1);
  for (const mark of c.marks) {
    const held = c.points.every(
      (p, j) => j < mark.runIndex || !p || runs[j].machineStateChanged || sign(mark.outcome) * (p.median / mark.baselineMedian - 1) > mark.threshold,
    );
    if (held) return { key: c.key, outcome: mark.outcome, since: mark, changeNow: latest.median / mark.baselineMedian - 1 };
  }
  return undefined;
}

/** The trend of one machine's runs of one suite, oldest first; `last` keeps only the last N runs on show. */
export function buildTrend(entries: HistoryEntry[], last?: number): Trend {
  const shownFrom = last === undefined ? 0 : Math.max(0, entries.length - last);
  const runs: TrendRun[] = [];
  for (let index = shownFrom; index < entries.length; index++) runs.push(trendRun(entries, index));
  labelRuns(runs);

  const cases = new Map<string, TrendCase>();
  runs.forEach((run, runIndex) => {
    for (const r of run.file.results) {
      if (r.status !== 'ok' || !r.stats) continue;
      const key = caseKey(r);
      let c = cases.get(key);
      if (!c) {
        const group = `${r.runtime.name} · ${r.backend.name} · ${r.model}`;
        c = {
          key,
          runtime: r.runtime.name,
          backend: r.backend.name,
          model: r.model,
          shape: r.shape,
          group,
          label: `${group} · ${formatShape(r.shape)}`,
          points: runs.map(() => undefined),
          marks: [],
        };
        cases.set(key, c);
      }
      c.points[runIndex] = { median: r.stats.median, ciLow: r.stats.ciLow, ciHigh: r.stats.ciHigh };
    }
  });
  const marks = runs.flatMap((run, runIndex) => (run.comparison ? marksOf(runIndex, run.comparison) : []));
  for (const mark of marks) cases.get(mark.key)?.marks.push(mark);
  const ordered = [...cases.values()].sort((a, b) => a.group.localeCompare(b.group) || a.label.localeCompare(b.label, 'en', { numeric: true }));
  const latestFile = entries[entries.length - 1].file;
  return {
    machine: latestFile.machine,
    suite: latestFile.suite.name,
    runs,
    historyLength: entries.length,
    cases: ordered,
    marks,
    moved: ordered.map((c) => movementOf(c, runs)).filter((m): m is Movement => m !== undefined),
    options: TREND_OPTIONS,
    window: COMPARISON_WINDOW,
  };
}
