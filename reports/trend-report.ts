/**
 * `fffbench report --history DIR`: writes the trend report (index.html, charts/*.png, summary.md)
 * of the runs filed in a history directory. Selection and its errors: trend-select.ts; the model:
 * trend.ts.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { renderChartPng } from './render-png.ts';
import { trendCharts } from './trend-charts.ts';
import { renderTrendMarkdown } from './trend-markdown.ts';
import { renderTrendHtml, type TrendPage } from './trend-render.ts';
import { selectTrends, type TrendRequest } from './trend-select.ts';

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
  const chartsDir = join(dir, 'charts');
  mkdirSync(chartsDir, { recursive: true });
  // PNGs of an earlier trend report in the same folder would be stale: remove ours (nothing else).
  for (const old of readdirSync(chartsDir)) if (old.startsWith('trend-') && old.endsWith('.png')) rmSync(join(chartsDir, old));
  const pngs: string[] = [];
  for (const { charts } of page.trends) {
    for (const spec of [...charts.moved, ...charts.groups]) {
      const file = join(chartsDir, `${spec.id}.png`);
      writeFileSync(file, renderChartPng(spec));
      pngs.push(file);
    }
  }
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
