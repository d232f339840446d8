/**
 * The chart runtime is generated from the typed modules (npm run build:charts), so a chart writes
 * numbers as the tables do: one formatting source, src/text/format.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ChartSpec } from '../../reports/charts/spec.ts';
import { buildChartRuntime } from '../../reports/render/build-chart-runtime.ts';
import { CHART_RUNTIME_PATH, chartRuntimeSource, type ChartRuntime } from '../../reports/render/chart-runtime.ts';
import { formatPercent, formatRatio, formatTick, formatTime } from '../../src/text/format.ts';

test('the committed assets/chart-runtime.js is exactly the build of chart-config.ts (run npm run build:charts after editing it or format.ts)', async () => {
  assert.equal(readFileSync(CHART_RUNTIME_PATH, 'utf8'), await buildChartRuntime());
});

const runtime = new Function(chartRuntimeSource())() as ChartRuntime;

const SPEC: ChartSpec = {
  id: 'speedup',
  title: 'Speedup',
  subtitle: '',
  type: 'line',
  x: { label: 'width', log: true },
  y: { label: 'speedup', log: true, unit: 'ratio' },
  series: [{ label: 'node', color: '#000', role: 'measured', points: [{ x: 64, y: 1.5, low: 1.4, high: 1.6 }] }],
};

test('a chart\'s tooltip writes a value as the tables do (1.5 is "1.50x" in both)', () => {
  assert.equal(runtime.formatValue('ratio', 1.5), '1.50x');
  for (const x of [0.5, 1.5, 12.25, 341.25]) assert.equal(runtime.formatValue('ratio', x), formatRatio(x));
  for (const ns of [999, 1500, 2.5e6, 3e9]) assert.equal(runtime.formatValue('ns', ns), formatTime(ns));
  assert.equal(runtime.formatValue('fraction', 0.5), formatPercent(0.5));
  const config = runtime.buildConfig(SPEC, {}) as unknown as {
    data: { datasets: unknown[] };
    options: { plugins: { tooltip: { callbacks: { label(item: unknown): string } } }; scales: { y: { ticks: { callback(v: number): string } } } };
  };
  const label = config.options.plugins.tooltip.callbacks.label({ dataset: config.data.datasets[0], dataIndex: 0, parsed: { y: 1.5 } });
  assert.equal(label, 'node: 1.50x [95% CI 1.40x, 1.60x]');
  assert.equal(config.options.scales.y.ticks.callback(20), formatTick('ratio', 20));
});

test('axis labels are the shortest form of the same numbers', () => {
  assert.equal(formatTick('ratio', 20), '20x');
  assert.equal(formatTick('ratio', 1.5), '1.5x');
  assert.equal(formatTick('ratio', 0.005), '0.005x');
  assert.equal(formatTick('ns', 2000), '2 µs');
  assert.equal(formatTick('ns', 2.5e6), '2.5 ms');
  assert.equal(formatTick('ns', 500), '500 ns');
  assert.equal(formatTick('fraction', 0.5), '50%');
});
