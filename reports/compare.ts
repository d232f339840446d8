/** Renders a run comparison as Markdown (CI job summaries, PR comments) or a terminal table. */
import { failsJob, runtimeChangeText, type CaseChange, type RunComparison } from '../src/compare/compare.ts';
import { isFlagged } from '../src/compare/paired.ts';
import { formatShape, formatTime } from '../src/text/format.ts';
import { markdownTable, textTable } from '../src/text/table.ts';

const signed = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);
const OUTCOME_TEXT: Record<CaseChange['outcome'], string> = {
  regression: '🔴 regression',
  improvement: '🟢 improvement',
  unchanged: 'unchanged',
  unstable: '⚠️ unstable (not judged)',
  'runtime-changed': '⚠️ runtime changed (not judged)',
  'only-in-baseline': 'only in baseline',
  'only-in-candidate': 'new',
  'not-timed': 'not timed',
  'failed-in-candidate': '🔴 failed in candidate',
};

function outcomeText(c: RunComparison, x: CaseChange): string {
  if (x.confirmation) {
    const k = x.confirmation;
    const context = k.contextCases ? `, its backend's ${k.contextCases} other cases ${signed(k.contextChange)}` : '';
    const again = k.note ?? `${c.paired ? 'a fresh pair' : k.reruns && k.reruns > 1 ? `${k.reruns} re-runs` : 're-run'} ${signed(k.change)}${context}`;
    return x.confirmation.confirmed ? `${OUTCOME_TEXT[x.outcome]} (confirmed: ${again})` : `not confirmed (${again})`;
  }
  if (!c.gated && (x.outcome === 'regression' || x.outcome === 'improvement')) return x.outcome === 'regression' ? 'slower (not gated)' : 'faster (not gated)';
  // ab: a case one side could not time says why
  if (c.paired && x.note) return `${OUTCOME_TEXT[x.outcome]} (${x.note})`;
  return OUTCOME_TEXT[x.outcome];
}

function rows(c: RunComparison, all: boolean): string[][] {
  const interesting = all ? c.cases : c.cases.filter((x) => x.outcome !== 'unchanged');
  return interesting.map((x) => [
    `${x.runtime} · ${x.backend} · ${x.model}`,
    formatShape(x.shape),
    x.baselineMedian === undefined ? '—' : `${formatTime(x.baselineMedian)}${x.baselineRuns && x.baselineRuns > 1 ? ` (${x.baselineRuns} runs)` : ''}`,
    x.candidateMedian === undefined ? '—' : formatTime(x.candidateMedian),
    x.change === undefined ? '—' : `${signed(x.change)} [${signed(x.changeCiLow)}, ${signed(x.changeCiHigh)}]`,
    x.p === undefined ? '—' : x.p < 1e-4 ? '<1e-4' : x.p.toFixed(4),
    c.paired
      ? x.paired
        ? `${x.paired.rounds} · ±${(x.paired.spread * 100).toFixed(1)}%`
        : '—'
      : x.threshold === undefined
        ? '—'
        : `${(x.threshold * 100).toFixed(1)}%`,
    outcomeText(c, x),
  ]);
}

const HEADER = ['case', 'shape', 'baseline', 'candidate', 'change [95% CI]', 'p', 'threshold', 'outcome'];
/** fffbench ab's columns: the medians of each side's rounds; the rounds and their paired spread instead of a per-case threshold. */
const PAIRED_HEADER = ['case', 'shape', 'base', 'head', 'change [95% CI]', 'p', 'rounds · spread', 'outcome'];
const headerOf = (c: RunComparison) => (c.paired ? PAIRED_HEADER : HEADER);

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function pairedHeadline(c: RunComparison): string {
  const p = c.paired!;
  const unchanged = c.cases.filter((x) => x.outcome === 'unchanged').length;
  const judged = c.cases.filter((x) => x.paired).length;
  const broken = c.cases.filter((x) => x.outcome === 'failed-in-candidate').length;
  const unmeasured = c.cases.length - judged - broken;
  const others = (p.interleave ?? 1) - 1;
  const flagged = c.cases.filter(isFlagged).length;
  const confirmation = c.confirmation
    ? ` (${flagged} flagged, ${c.confirmation.rerun} timed again on a fresh pair, ${c.confirmation.confirmed} confirmed)`
    : '';
  return (
    `${count(c.regressions, 'regression')}, ${count(c.improvements, 'improvement')}${confirmation}${broken ? `, ${broken} failed in head` : ''}, ${unchanged} unchanged` +
    `${unmeasured ? `, ${unmeasured} not timed on both sides` : ''} (threshold ${(c.options.threshold * 100).toFixed(1)}%, alpha ${c.options.alpha} by Holm over ${judged} cases; ` +
    `${p.rounds} pairs of rounds of about ${Number(p.roundMs.toPrecision(2))} ms per case, interleaved${others > 0 ? ` with up to ${others} other case${others > 1 ? 's' : ''}` : ''}; machine ${c.machineId})`
  );
}

function headline(c: RunComparison): string {
  if (c.paired) return pairedHeadline(c);
  const unchanged = c.cases.filter((x) => x.outcome === 'unchanged').length;
  const unstable = c.cases.filter((x) => x.outcome === 'unstable').length;
  const onChanged = c.cases.filter((x) => x.outcome === 'runtime-changed').length;
  const flagged = c.cases.filter((x) => x.outcome === 'regression').length;
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
    out.push(
      `Runtime changed: ${runtimeChangeText(change)}. Its cases are listed with their change but not judged: the engine's difference is not the code's (judged again once every baseline run ran ${change.to.join(', ')}).`,
    );
  }
  if (c.confirmation?.note) out.push(`Confirmation: ${c.confirmation.note}`);
  const unstable = new Map<string, string>();
  for (const x of c.cases) if (x.outcome === 'unstable' && x.note) unstable.set(`${x.runtime} · ${x.backend}`, x.note);
  for (const [where, note] of unstable) out.push(`${where}: ${note}; its cases are listed but not judged.`);
  return out;
}

const METHOD = `Each case's median is compared with the median of the baseline runs' medians, against the run-to-run noise of its backend (or its own, where larger): the threshold column is the smallest slowdown that noise lets count (never under --threshold). A case flagged at the screening level is measured again, three times in fresh workers, with the cases of its backend that ran before it; it is a regression only if the re-runs' median is beyond alpha too, net of how those other cases moved in the re-runs. A run whose calibration moved is set aside as "machine state changed", a runtime whose version changed as "runtime changed" (that runtime only); with fewer than 3 baseline runs nothing is gated.`;

const PAIRED_METHOD = `Base and head were measured on this machine in one job, in pairs of short rounds (one round of each, back to back, the order balanced and shuffled per case, after a few warm-up pairs that are not counted), each side in its own worker, after its output passed the reference check. The change is the median over the pairs of the ratio head / base − 1; its interval and p come from the Wilcoxon signed-rank test on the pairs' log ratios, and Holm's procedure over all cases keeps the chance of any false flag under alpha. A case is a regression when Holm rejects it and its change exceeds the threshold. The spread is that of one pair's ratio: what the host did in the seconds of a case happened to both sides and cancels in it.`;

function icon(c: RunComparison): string {
  if (!c.gated) return c.machineState.changed ? '⚠️' : '⚪';
  return failsJob(c) ? '🔴' : (c.runtimeChanges ?? []).length > 0 ? '⚠️' : '✅';
}

export function compareMarkdown(c: RunComparison): string {
  const body = rows(c, false);
  const header = headerOf(c);
  const table = body.length === 0 ? '_No case changed beyond its threshold._' : markdownTable(header, body);
  const [baseName, headName] = c.paired ? ['base', 'head'] : ['baseline', 'candidate'];
  return [
    `### fffbench ${c.paired ? 'ab' : 'compare'}: ${icon(c)} ${headline(c)}`,
    '',
    `${baseName}: ${c.baselineLabel}  `,
    `${headName}: ${c.candidateLabel}`,
    '',
    ...notes(c).map((n) => `> ${n}\n`),
    table,
    '',
    c.paired ? PAIRED_METHOD : METHOD,
  ].join('\n');
}

export function compareTable(c: RunComparison): string {
  const [baseName, headName] = c.paired ? ['base:     ', 'head:     '] : ['baseline: ', 'candidate:'];
  return [
    headline(c),
    `${baseName} ${c.baselineLabel}`,
    `${headName} ${c.candidateLabel}`,
    ...notes(c),
    '',
    textTable(headerOf(c), rows(c, true), '', () => 'left'),
  ].join('\n');
}
