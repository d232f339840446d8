/**
 * The chart runtime (assets/chart-runtime.js, bundled from chart-config.ts by npm run build:charts):
 * the one piece of code that turns a ChartSpec into a chart.js config, for both the PNGs (render/png.ts
 * evaluates it) and the pages (chartScripts inlines it with chart.js). Kept apart from render/png.ts
 * so a page is built without loading the native canvas addon.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ChartSpec } from '../charts/spec.ts';
import { scriptSafe } from './html.ts';

export const CHART_RUNTIME_PATH = new URL('./assets/chart-runtime.js', import.meta.url);

/** What assets/chart-runtime.js returns: chart-config.ts's exports. */
export type ChartRuntime = Pick<typeof import('./chart-config.ts'), 'buildConfig' | 'formatValue'>;

/** The runtime's source text: a function body, evaluated by render/png.ts and wrapped in a function on the page. */
export function chartRuntimeSource(): string {
  return readFileSync(CHART_RUNTIME_PATH, 'utf8');
}

const require = createRequire(import.meta.url);

/** chart.js's UMD build (defines the global Chart); not in its package exports, so found beside the main file. */
function chartJsSource(): string {
  return readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.js'), 'utf8');
}

/**
 * The end of a page with charts: the specs as JSON, chart.js, the chart runtime, and the code that
 * draws spec k into each <canvas data-chart-index="k"> (then sets body[data-charts-drawn]).
 */
export function chartScripts(specs: ChartSpec[]): string {
  const data = JSON.stringify({ charts: specs }).replace(/</g, '\\u003c');
  return `<script type="application/json" id="report-data">${data}</script>
<script>${scriptSafe(chartJsSource())}</script>
<script>
var fffCharts = (function () {
${scriptSafe(chartRuntimeSource())}
})();
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  Chart.defaults.font.family = "system-ui, 'Liberation Sans', 'DejaVu Sans', Arial, sans-serif";
  var drawn = 0;
  document.querySelectorAll('canvas[data-chart-index]').forEach(function (canvas) {
    var spec = data.charts[Number(canvas.getAttribute('data-chart-index'))];
    new Chart(canvas, fffCharts.buildConfig(spec, { titles: false, responsive: true }));
    drawn += 1;
  });
  document.body.setAttribute('data-charts-drawn', String(drawn));
})();
</script>`;
}
