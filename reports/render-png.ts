/** Server-side charts: chart.js drawing on @napi-rs/canvas, from the same specs and config code as the page. */
import { createCanvas } from '@napi-rs/canvas';
import { Chart, registerables } from 'chart.js';
import type { ChartSpec } from './charts/spec.ts';
import { chartRuntimeSource, type ChartRuntime } from './chart-runtime.ts';

let runtime: ChartRuntime | undefined;
function chartRuntime(): ChartRuntime {
  if (!runtime) {
    runtime = new Function(chartRuntimeSource())() as ChartRuntime;
    Chart.register(...registerables);
    // Fonts the Debian images have (fonts-liberation comes with chromium; DejaVu is common elsewhere).
    Chart.defaults.font.family = "'Liberation Sans', 'DejaVu Sans', Arial, sans-serif";
  }
  return runtime;
}

export const PNG_SIZE = { width: 960, height: 540, devicePixelRatio: 1.5 };

export function renderChartPng(spec: ChartSpec): Buffer {
  const { width, height, devicePixelRatio } = PNG_SIZE;
  // chart.js lays out in width × height and enlarges the canvas itself by devicePixelRatio.
  const canvas = createCanvas(width, height);
  const config = chartRuntime().buildConfig(spec, { titles: true, responsive: false, devicePixelRatio });
  const chart = new Chart(canvas as unknown as HTMLCanvasElement, config);
  try {
    return canvas.toBuffer('image/png');
  } finally {
    chart.destroy();
  }
}
