/**
 * `fffbench report --history DIR`: writes the trend report (index.html, charts/*.png, summary.md)
 * of the runs filed in a history directory. Selection and its errors: select.ts; the model:
 * model.ts.
 */
import { writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { writeChartPngs } from '../render/png.ts';
import { trendCharts } from './charts.ts';
import { renderTrendMarkdown } from './markdown.ts';
import { renderTrendHtml, type TrendPage } from './html.ts';
import { selectTrends, type TrendRequest } from './select.ts';

/** DIR for `nightly/history` is `nightly/history-trend/`: beside the history, never inside it (it is a data branch). */
export function defaultTrendDir(historyDir: string): string {
  const full = resolve(historyDir);
  return join(dirname(full), `${basename(full)}-trend`);
}

export interface WrittenTrendReport {
  dir: string;
  indexHtml: string;
  summaryMd: string;
  pngs: string[];
  /** Per trend: its machine and suite, runs shown, cases that moved. */
  trends: { machineId: string; suite: string; runs: number; moved: number }[];
}

export function writeTrendReport(request: TrendRequest, dir: string): WrittenTrendReport {
  const selection = selectTrends(request);
  const page: TrendPage = {
    trends: selection.trends.map((trend) => ({ trend, charts: trendCharts(trend) })),
    leftOut: selection.leftOut,
    historyDir: request.historyDir,
    generatedAt: new Date().toISOString(),
  };
  const specs = page.trends.flatMap(({ charts }) => [...charts.moved, ...charts.groups]);
  const pngs = writeChartPngs(join(dir, 'charts'), specs, (name) => name.startsWith('trend-'));
  const indexHtml = join(dir, 'index.html');
  writeFileSync(indexHtml, renderTrendHtml(page));
  const summaryMd = join(dir, 'summary.md');
  writeFileSync(summaryMd, renderTrendMarkdown(page));
  return {
    dir,
    indexHtml,
    summaryMd,
    pngs,
    trends: page.trends.map(({ trend }) => ({ machineId: trend.machine.id, suite: trend.suite, runs: trend.runs.length, moved: trend.moved.length })),
  };
}
