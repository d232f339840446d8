/** Renders a run comparison as Markdown (CI job summaries, PR comments) or a terminal table. */
import { runtimeChangeText, type CaseChange, type RunComparison } from '../src/compare/compare.ts';
import { formatShape, formatTime } from './format.ts';

const signed = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);
const VERDICT_TEXT: Record<CaseChange['verdict'], string> = {
  regression: '🔴 regression',
  improvement: '🟢 improvement',
  unchanged: 'unchanged',
  unstable: '⚠️ unstable (not judged)',
  'runtime-changed': '⚠️ runtime changed (not judged)',
  'only-in-baseline': 'only in baseline',
  'only-in-candidate': 'new',
  'not-measured': 'not measured',
};

function verdictText(c: RunComparison, x: CaseChange): string {
  if (x.confirmation) {
    const k = x.confirmation;
    const context = k.contextCases ? `, its backend's ${k.contextCases} other cases ${signed(k.contextChange)}` : '';
    const again = k.note ?? `${k.reruns && k.reruns > 1 ? `${k.reruns} re-runs` : 're-run'} ${signed(k.change)}${context}`;
    return x.confirmation.confirmed ? `🔴 regression (confirmed: ${again})` : `not confirmed (${again})`;
  }
  if (!c.gated && (x.verdict === 'regression' || x.verdict === 'improvement')) return x.verdict === 'regression' ? 'slower (not gated)' : 'faster (not gated)';
  return VERDICT_TEXT[x.verdict];
}

function rows(c: RunComparison, all: boolean): string[][] {
  const interesting = all ? c.cases : c.cases.filter((x) => x.verdict !== 'unchanged');
  return interesting.map((x) => [
    `${x.runtime} · ${x.backend} · ${x.model}`,
    formatShape(x.shape),
    x.baselineMedian === undefined ? '—' : `${formatTime(x.baselineMedian)}${x.baselineRuns && x.baselineRuns > 1 ? ` (${x.baselineRuns} runs)` : ''}`,
    x.candidateMedian === undefined ? '—' : formatTime(x.candidateMedian),
    x.change === undefined ? '—' : `${signed(x.change)} [${signed(x.changeCiLow)}, ${signed(x.changeCiHigh)}]`,
    x.p === undefined ? '—' : x.p < 1e-4 ? '<1e-4' : x.p.toFixed(4),
    x.threshold === undefined ? '—' : `${(x.threshold * 100).toFixed(1)}%`,
    verdictText(c, x),
  ]);
}

const HEADER = ['case', 'shape', 'baseline', 'candidate', 'change [95% CI]', 'p', 'threshold', 'verdict'];

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function headline(c: RunComparison): string {
  const unchanged = c.cases.filter((x) => x.verdict === 'unchanged').length;
  const unstable = c.cases.filter((x) => x.verdict === 'unstable').length;
  const onChanged = c.cases.filter((x) => x.verdict === 'runtime-changed').length;
  const flagged = c.cases.filter((x) => x.verdict === 'regression').length;
  const tally = c.gated
    ? `${count(c.regressions, 'regression')}${c.confirmation ? ` (${flagged} flagged, ${c.confirmation.rerun} re-run, ${c.confirmation.confirmed} confirmed)` : ''}, ${count(c.improvements, 'improvement')}`
    : `not gated: ${flagged} slower, ${c.improvements} faster`;
  const machines = c.candidateMachineId ? `machines ${c.machineId} → ${c.candidateMachineId}` : `machine ${c.machineId}`;
  return `${tally}, ${unchanged} unchanged${unstable ? `, ${unstable} unstable (not judged)` : ''}${onChanged ? `, ${onChanged} moved on a changed runtime (not judged)` : ''} (threshold ${(c.options.threshold * 100).toFixed(1)}%, alpha ${c.options.alpha}, ${count(c.baselineRuns, 'baseline run')}; ${machines})`;
}

function notes(c: RunComparison): string[] {
  const out: string[] = [];
  if (c.notGatedBecause) out.push(`Not gated: ${c.notGatedBecause}`);
  for (const change of c.runtimeChanges ?? []) {
    out.push(`Runtime changed: ${runtimeChangeText(change)}. Its cases are listed with their change but not judged: the engine's difference is not the code's (judged again once every baseline run ran ${change.to.join(', ')}).`);
  }
  if (c.confirmation?.note) out.push(`Confirmation: ${c.confirmation.note}`);
  const unstable = new Map<string, string>();
  for (const x of c.cases) if (x.verdict === 'unstable' && x.note) unstable.set(`${x.runtime} · ${x.backend}`, x.note);
  for (const [where, note] of unstable) out.push(`${where}: ${note}; its cases are listed but not judged.`);
  return out;
}

const METHOD = `Each case's median is compared with the median of the baseline runs' medians, against the run-to-run noise of its backend (or its own, where larger): the threshold column is the smallest slowdown that noise lets count (never under --threshold). A case flagged at the screening level is measured again, three times in fresh workers, with the cases of its backend that ran before it; it is a regression only if the re-runs' median is beyond alpha too, net of how those other cases moved in the re-runs. A run whose calibration moved is set aside as "machine state changed", a runtime whose version changed as "runtime changed" (that runtime only); with fewer than 3 baseline runs nothing is gated.`;

function icon(c: RunComparison): string {
  if (!c.gated) return c.machineState.changed ? '⚠️' : '⚪';
  return c.regressions > 0 ? '🔴' : (c.runtimeChanges ?? []).length > 0 ? '⚠️' : '✅';
}

export function compareMarkdown(c: RunComparison): string {
  const body = rows(c, false);
  const table = body.length === 0 ? '_No case changed beyond its threshold._' : [`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  return [
    `### fffbench compare: ${icon(c)} ${headline(c)}`,
    '',
    `baseline: ${c.baselineLabel}  `,
    `candidate: ${c.candidateLabel}`,
    '',
    ...notes(c).map((n) => `> ${n}\n`),
    table,
    '',
    METHOD,
  ].join('\n');
}

export function compareTable(c: RunComparison): string {
  const all = [HEADER, ...rows(c, true)];
  const widths = HEADER.map((_, k) => Math.max(...all.map((r) => r[k].length)));
  return [headline(c), `baseline:  ${c.baselineLabel}`, `candidate: ${c.candidateLabel}`, ...notes(c), '', ...all.map((r) => r.map((cell, k) => cell.padEnd(widths[k])).join('  '))].join('\n');
}
