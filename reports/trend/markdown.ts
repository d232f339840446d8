/**
 * summary.md of the trend report: a digest for a CI job summary. What moved (the case, by how much,
 * since which run, date and commit), machine-state changes, and how many runs over which window;
 * the full tables of marks stay on the page.
 */
import { markdownTable as table } from '../../src/text/table.ts';
import { trendSlug } from './charts.ts';
import type { TrendPage } from './html.ts';
import type { Trend } from './model.ts';
import {
  changeText,
  CHARTS_EXPLANATION,
  machineStateLines,
  MOVED_HEADER,
  movedRows,
  notGatedReasons,
  RUNS_HEADER,
  runRows,
  runText,
  trendTitle,
  windowText,
} from './text.ts';

/** Above this many runs, summary.md lists only the last ones (the page has them all). */
const RUNS_IN_SUMMARY = 10;

function movedLines(trend: Trend): string[] {
  const label = (key: string) => trend.cases.find((c) => c.key === key)?.label ?? key;
  return trend.moved.map(
    (m) =>
      `- **${label(m.key)}**: ${m.outcome}, ${changeText(m.changeNow)} in the latest run, moved since ${runText(trend.runs[m.since.runIndex])}${m.since.gated ? '' : ' (not gated)'}`,
  );
}

function trendMarkdown(trend: Trend): string {
  const out: string[] = [`## ${trendTitle(trend)}`, windowText(trend)];
  out.push('### What moved');
  if (trend.moved.length === 0) out.push('Nothing moved: no case regressed or improved in these runs and stayed that way up to the latest run.');
  else out.push(movedLines(trend).join('\n'), table(MOVED_HEADER, movedRows(trend)));
  const earlier = trend.marks.length - trend.moved.length;
  if (earlier > 0)
    out.push(
      `${earlier} other mark${earlier === 1 ? '' : 's'} (a case that moved and came back, or a later mark of a moved case) ${earlier === 1 ? 'is' : 'are'} listed on the page.`,
    );

  out.push('### Machine-state and runtime changes');
  const states = machineStateLines(trend);
  out.push(states.length === 0 ? 'None.' : states.map((s) => `- ⚠ ${s}`).join('\n'));

  out.push('### Runs');
  const rows = runRows(trend);
  const shown = rows.slice(-RUNS_IN_SUMMARY);
  out.push(
    table(RUNS_HEADER, shown) + (shown.length < rows.length ? `\n\n(the last ${shown.length} of ${rows.length} runs shown; index.html lists every run)` : ''),
  );
  const notGated = notGatedReasons(trend);
  if (notGated.length > 0) out.push(`Not gated:\n${notGated.map((r) => `- ${r}`).join('\n')}`);
  out.push(`Charts: \`charts/trend-${trendSlug(trend)}-*.png\`.`);
  return out.join('\n\n');
}

export function renderTrendMarkdown(page: TrendPage): string {
  const out: string[] = [`# fffbench trend: ${[...new Set(page.trends.map((t) => t.trend.suite))].join(', ')}`];
  out.push(
    `History: \`${page.historyDir}\`. ${page.trends.length} trend${page.trends.length === 1 ? '' : 's'} (machine · suite). Generated ${page.generatedAt}.`,
  );
  for (const l of page.leftOut) out.push(`Not drawn: ${l}.`);
  out.push(...page.trends.map(({ trend }) => trendMarkdown(trend)));
  out.push(
    `<details><summary>How the charts are drawn</summary>\n\n${CHARTS_EXPLANATION}\n\nThe interactive page is \`index.html\` in this folder (opens offline).\n\n</details>`,
  );
  return `${out.join('\n\n')}\n`;
}
