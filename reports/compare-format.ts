/** Renders a run comparison as Markdown (CI job summaries, PR comments), JSON, or a terminal table. */
import type { CaseComparison, Comparison } from '../src/compare/compare.ts';
import { formatShape, formatTime } from './format.ts';

const signed = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);
const ICON: Record<CaseComparison['verdict'], string> = {
  regression: '🔴 regression',
  improvement: '🟢 improvement',
  unchanged: 'unchanged',
  unstable: '⚠️ unstable (not judged)',
  'only-in-baseline': 'only in baseline',
  'only-in-candidate': 'new',
  'not-measured': 'not measured',
};

function rows(c: Comparison, all: boolean): string[][] {
  const interesting = all ? c.cases : c.cases.filter((x) => x.verdict !== 'unchanged');
  return interesting.map((x) => [
    `${x.runtime} · ${x.backend} · ${x.model}`,
    formatShape(x.shape),
    x.baselineMedian === undefined ? '—' : formatTime(x.baselineMedian),
    x.candidateMedian === undefined ? '—' : formatTime(x.candidateMedian),
    x.change === undefined ? '—' : `${signed(x.change)} [${signed(x.changeCiLow)}, ${signed(x.changeCiHigh)}]`,
    x.p === undefined ? '—' : x.p < 1e-4 ? '<1e-4' : x.p.toFixed(4),
    x.threshold === undefined ? '—' : `${(x.threshold * 100).toFixed(1)}%${x.noise !== undefined && x.noise > c.options.threshold ? ' (noise)' : ''}`,
    ICON[x.verdict],
  ]);
}

const HEADER = ['case', 'shape', 'baseline', 'candidate', 'change [95% CI]', 'p', 'threshold', 'verdict'];

function headline(c: Comparison): string {
  const unchanged = c.cases.filter((x) => x.verdict === 'unchanged').length;
  const unstable = c.cases.filter((x) => x.verdict === 'unstable').length;
  return `${c.regressions} regression${c.regressions === 1 ? '' : 's'}, ${c.improvements} improvement${c.improvements === 1 ? '' : 's'}, ${unchanged} unchanged${unstable ? `, ${unstable} unstable (not judged)` : ''} (threshold ${(c.options.threshold * 100).toFixed(1)}%, alpha ${c.options.alpha}; machine ${c.machineId})`;
}

function unstableNotes(c: Comparison): string[] {
  const notes = new Map<string, string>();
  for (const x of c.cases) if (x.verdict === 'unstable' && x.note) notes.set(`${x.runtime} · ${x.backend}`, x.note);
  return [...notes].map(([where, note]) => `${where}: ${note}; its cases are listed but not judged.`);
}

export function compareMarkdown(c: Comparison): string {
  const body = rows(c, false);
  const table = body.length === 0 ? '_No case changed significantly beyond the threshold._' : [`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  return [
    `### fffbench compare: ${c.regressions > 0 ? '🔴' : '✅'} ${headline(c)}`,
    '',
    `baseline: ${c.baselineLabel}  `,
    `candidate: ${c.candidateLabel}`,
    '',
    table,
    ...unstableNotes(c).map((n) => `\n⚠️ ${n}`),
    '',
    'A case is a regression only when its samples differ significantly (two-sided Mann–Whitney U, p < alpha) and the whole 95% interval of its change lies beyond the threshold — raised, per case, to the spread of the baseline runs\' medians when the baseline has several runs (--last N).',
  ].join('\n');
}

export function compareTable(c: Comparison): string {
  const all = [HEADER, ...rows(c, true)];
  const widths = HEADER.map((_, k) => Math.max(...all.map((r) => r[k].length)));
  return [headline(c), `baseline:  ${c.baselineLabel}`, `candidate: ${c.candidateLabel}`, '', ...all.map((r) => r.map((cell, k) => cell.padEnd(widths[k])).join('  ')), ...unstableNotes(c)].join('\n');
}
