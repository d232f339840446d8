/** The trend report's words and table rows, shared by the page and summary.md so both say the same. */
import { formatTime } from '../../src/text/format.ts';
import type { Movement, Trend, TrendMark, TrendRun } from './model.ts';

/** "5%", "12.5%" (three significant digits at most). */
export function percentText(x: number): string {
  return Number.isFinite(x) ? `${+(x * 100).toPrecision(3)}%` : '—';
}

/** "+40.1%" / "−3.2%" */
export function changeText(change: number): string {
  if (!Number.isFinite(change)) return '—';
  return `${change >= 0 ? '+' : '−'}${percentText(Math.abs(change))}`;
}

export function markChangeText(m: TrendMark): string {
  const interval = m.changeCiLow !== undefined && m.changeCiHigh !== undefined ? ` [${changeText(m.changeCiLow)}, ${changeText(m.changeCiHigh)}]` : '';
  return changeText(m.change) + interval;
}

/** "run #7 (2026-01-07, abc1234)" */
export function runText(run: TrendRun): string {
  return `run #${run.number} (${run.date}, ${run.commit})`;
}

export function gateText(trend: Trend, m: TrendMark): string {
  const run = trend.runs[m.runIndex];
  return m.gated ? 'gated' : `not gated${run.notGatedBecause ? `: ${run.notGatedBecause}` : ''}`;
}

export function trendTitle(trend: Trend): string {
  return `${trend.suite} on ${trend.machine.cpuModel} (${trend.machine.id})`;
}

/** How many runs are shown, from when to when, and what each was compared with. */
export function windowText(trend: Trend): string {
  const first = trend.runs[0];
  const last = trend.runs[trend.runs.length - 1];
  const shown = trend.runs.length === trend.historyLength ? `all ${trend.historyLength} runs` : `the last ${trend.runs.length} of ${trend.historyLength} runs`;
  return `Shown: ${shown} of this suite on this machine, ${runText(first)} to ${runText(last)}; each run compared with the up to ${trend.window} runs before it (threshold ${percentText(trend.options.threshold)}, alpha ${trend.options.alpha}).`;
}

const caseLabel = (trend: Trend, key: string) => trend.cases.find((c) => c.key === key)?.label ?? key;

export const MOVED_HEADER = ['case', 'moved', 'change now (against the runs before the move)', 'since', 'change at that run [95% CI]', 'gated'];

export function movedRows(trend: Trend): string[][] {
  return trend.moved.map((m: Movement) => [
    caseLabel(trend, m.key),
    m.outcome,
    `${changeText(m.changeNow)} (${m.outcome === 'regression' ? 'slower' : 'faster'})`,
    runText(trend.runs[m.since.runIndex]),
    markChangeText(m.since),
    gateText(trend, m.since),
  ]);
}

/** A reason's opening words, up to its first colon or full stop: the runs table has no room for the whole of it. */
function briefly(reason: string): string {
  return reason.split(/[:.](\s|$)/)[0];
}

/** The distinct reasons runs were not gated, in full (said once under the runs table); machine-state runs have their own list. */
export function notGatedReasons(trend: Trend): string[] {
  return [
    ...new Set(
      trend.runs.filter((r) => r.comparison && !r.gated && !r.machineStateChanged && r.notGatedBecause).map((r) => `${runText(r)}: ${r.notGatedBecause}`),
    ),
  ];
}

export const RUNS_HEADER = [
  'run',
  'date',
  'commit',
  'samples',
  'compared with',
  'gated',
  'machine state',
  'regressions',
  'improvements',
  'unstable (not judged)',
];

export function runRows(trend: Trend): string[][] {
  return trend.runs.map((run, j) => {
    const marks = trend.marks.filter((m) => m.runIndex === j);
    const count = (outcome: TrendMark['outcome']) => String(marks.filter((m) => m.outcome === outcome).length);
    const [from, to] = [run.comparedWith[0], run.comparedWith[run.comparedWith.length - 1]];
    const compared = run.comparison ? (from === to ? `run #${from}` : `runs #${from}–#${to}`) : (run.notCompared ?? '—');
    return [
      `#${run.number}`,
      run.file.startedAt.replace('T', ' ').slice(0, 16),
      run.commit,
      run.reduced ? 'reduced (medians and intervals only)' : 'full',
      compared,
      run.comparison ? (run.gated ? 'yes' : `no${run.notGatedBecause ? ` (${briefly(run.notGatedBecause)})` : ''}`) : '—',
      [
        run.machineStateChanged ? `⚠ changed: ${run.machineStateReasons.join('; ')}` : run.comparison ? 'as before' : '—',
        ...run.runtimeChanges.map((t) => `⚠ runtime ${t}`),
      ].join('; '),
      run.machineStateChanged ? `— (${run.setAside} case outcomes set aside)` : count('regression'),
      run.machineStateChanged ? '—' : count('improvement'),
      String(run.unstable),
    ];
  });
}

export const MARKS_HEADER = ['run', 'case', 'outcome', 'change [95% CI]', 'baseline median', 'threshold', 'gated'];

export function markRows(trend: Trend): string[][] {
  return trend.marks.map((m) => [
    runText(trend.runs[m.runIndex]),
    caseLabel(trend, m.key),
    m.outcome,
    markChangeText(m),
    formatTime(m.baselineMedian),
    percentText(m.threshold),
    gateText(trend, m),
  ]);
}

export function machineStateLines(trend: Trend): string[] {
  return [
    ...trend.runs
      .filter((r) => r.machineStateChanged)
      .map(
        (r) =>
          `${runText(r)}: ${r.machineStateReasons.join('; ') || 'the machine state changed'} — its ${r.setAside} case outcome${r.setAside === 1 ? '' : 's'} set aside, not counted as regressions or improvements`,
      ),
    ...trend.runs.flatMap((r) =>
      r.runtimeChanges.map(
        (t) => `${runText(r)}: runtime changed, ${t} — that runtime's cases shown but not judged (the engine's difference is not the code's)`,
      ),
    ),
  ];
}

/** How the charts are grouped and scaled, said on the page and in summary.md. */
export const CHARTS_EXPLANATION =
  'A chart per case would bury the few that moved, so each runtime · backend · model has one chart with a line per shape, each line divided by that case’s median in the first run shown (1x = unchanged; bars: the 95% interval of the median, divided the same way); each case that moved and stayed moved also has a chart of its own in absolute time. The x axis is one run per label (date and short commit; ⚠ marks a run whose machine state changed). Red triangles: regressions; orange: regressions in a run that was not gated; green diamonds: improvements; grey crosses: runs whose machine state changed.';
