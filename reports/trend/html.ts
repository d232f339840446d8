/**
 * The trend page: self-contained like the main report (chart.js and the shared chart runtime
 * inlined, opens from file://). Per machine and suite: what moved, machine-state changes, the runs
 * and every mark as tables, then the charts of the moved cases and of each runtime · backend · model.
 */
import type { ChartSpec } from '../charts/spec.ts';
import { chartScripts } from '../render/chart-runtime.ts';
import { esc, STYLE, table } from '../render/html.ts';
import { trendSlug, type TrendCharts } from './charts.ts';
import type { Trend } from './model.ts';
import {
  CHARTS_EXPLANATION,
  machineStateLines,
  MARKS_HEADER,
  markRows,
  MOVED_HEADER,
  movedRows,
  notGatedReasons,
  RUNS_HEADER,
  runRows,
  trendTitle,
  windowText,
} from './text.ts';

export interface TrendPage {
  trends: { trend: Trend; charts: TrendCharts }[];
  leftOut: string[];
  historyDir: string;
  generatedAt: string;
}

const TREND_STYLE = `
.moved td:nth-child(2) { font-weight: 600; }
.state { color: #5f4b00; background: #fff6e0; padding: 6px 10px; border-radius: 4px; }
`;

/** Each spec gets a canvas whose index points into `specs` (what the inlined script draws). */
function figures(charts: ChartSpec[], specs: ChartSpec[]): string {
  return charts
    .map((spec) => {
      specs.push(spec);
      return `<figure><figcaption>${esc(spec.title)}</figcaption><div class="chart-box"><canvas data-chart-index="${specs.length - 1}" role="img" aria-label="${esc(spec.title)}"></canvas></div><p class="png"><a href="charts/${esc(spec.id)}.png">PNG</a></p></figure>`;
    })
    .join('');
}

function trendSection(trend: Trend, charts: TrendCharts, specs: ChartSpec[]): string {
  const parts: string[] = [`<section id="trend-${esc(trendSlug(trend))}"><h2>${esc(trendTitle(trend))}</h2>`];
  parts.push(`<p>${esc(windowText(trend))}</p>`);

  parts.push('<h3>What moved</h3>');
  if (trend.moved.length === 0)
    parts.push('<p class="nothing-moved">Nothing moved: no case regressed or improved in these runs and stayed that way up to the latest run.</p>');
  else parts.push(table(MOVED_HEADER, movedRows(trend), 'moved'));

  const states = machineStateLines(trend);
  parts.push('<h3>Machine-state and runtime changes</h3>');
  parts.push(
    states.length === 0
      ? '<p>None: every compared run found the machine in the state of the runs before it.</p>'
      : states.map((s) => `<p class="state">⚠ ${esc(s)}</p>`).join(''),
  );

  parts.push('<h3>Runs</h3>');
  parts.push(table(RUNS_HEADER, runRows(trend)));
  parts.push(
    notGatedReasons(trend)
      .map((r) => `<p class="subtitle">Not gated, ${esc(r)}</p>`)
      .join(''),
  );
  parts.push(
    `<details${trend.marks.length > 0 && trend.marks.length <= 40 ? ' open' : ''}><summary>Every regression and improvement marked (${trend.marks.length})</summary>`,
  );
  parts.push(trend.marks.length === 0 ? '<p>None.</p>' : table(MARKS_HEADER, markRows(trend), 'marks'));
  parts.push('</details>');

  if (charts.moved.length > 0) {
    parts.push(
      '<h3>Cases that moved</h3><p class="subtitle">Median time per batch with its 95% interval; the dashed line is the baseline median before the move.</p>',
    );
    parts.push(`<div class="panels">${figures(charts.moved, specs)}</div>`);
  }
  parts.push('<h3>Every case, by runtime · backend · model</h3><p class="subtitle">One line per shape, each divided by its median in the first run shown.</p>');
  parts.push(`<div class="panels">${figures(charts.groups, specs)}</div>`);
  parts.push('</section>');
  return parts.join('\n');
}

export function renderTrendHtml(page: TrendPage): string {
  const specs: ChartSpec[] = [];
  const sections = page.trends.map(({ trend, charts }) => trendSection(trend, charts, specs)).join('\n');
  const leftOut = page.leftOut.map((l) => `<p class="missing">Not drawn: ${esc(l)}</p>`).join('');
  const title = `fffbench trend: ${[...new Set(page.trends.map((t) => t.trend.suite))].join(', ')}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}${TREND_STYLE}</style></head>
<body>
<h1>${esc(title)}</h1>
<p class="lede">How each case’s median moved over the runs filed in ${esc(page.historyDir)}, and which runs the comparison marks as regressions or improvements against the runs before them. Generated ${esc(page.generatedAt)}.</p>
<p class="subtitle">${esc(CHARTS_EXPLANATION)}</p>
${leftOut}
${sections}
${chartScripts(specs)}
</body></html>
`;
}
