/** Server-side charts: chart.js drawing on @napi-rs/canvas, from the same specs and config code as the page. */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { Chart, registerables } from 'chart.js';
import type { ChartSpec } from '../charts/spec.ts';
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

/**
 * Writes each chart as DIR/<id>.png and returns the paths. PNGs of an earlier report in the same
 * folder would be stale: those `ours` recognises are removed first (nothing else is touched).
 */
export function writeChartPngs(chartsDir: string, specs: ChartSpec[], ours: (fileName: string) => boolean): string[] {
  mkdirSync(chartsDir, { recursive: true });
  for (const old of readdirSync(chartsDir)) if (old.endsWith('.png') && ours(old)) rmSync(join(chartsDir, old));
  return specs.map((spec) => {
    const file = join(chartsDir, `${spec.id}.png`);
    writeFileSync(file, renderChartPng(spec));
    return file;
  });
}
