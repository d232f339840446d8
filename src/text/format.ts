/**
 * How numbers, shapes and models are written: one home for the claim verdicts' sentences
 * (src/claims/), the CLI tables, the Markdown and HTML reports, and the charts' tooltips and axes
 * (the chart runtime, reports/render/assets/chart-runtime.js, is bundled from this module), so that
 * 1.5 reads "1.50x" in a table and in a chart's tooltip alike.
 */
import { treeModelOf, type ModelKind } from '../model/shape.ts';

/** How the report names each model. */
export const MODEL_LABEL: Record<ModelKind, string> = { fff: 'FFF', ufb: 'UltraFastBERT FFF', dense: 'dense', encoder: 'encoder layer' };

/** The name of a shape's tree side: "FFF", or "UltraFastBERT FFF" on a UltraFastBERT shape. */
export function treeLabel(shape: { tree?: 'ufb' }): string {
  return MODEL_LABEL[treeModelOf(shape)];
}

/** A duration in the unit that suits it, its number written by `digits` ("2.10 ms"). */
function scaledTime(ns: number, digits: (x: number) => string): string {
  if (!Number.isFinite(ns)) return '—';
  if (ns < 1e3) return `${ns.toFixed(0)} ns`;
  if (ns < 1e6) return `${digits(ns / 1e3)} µs`;
  if (ns < 1e9) return `${digits(ns / 1e6)} ms`;
  return `${digits(ns / 1e9)} s`;
}

/** Three significant digits: "2.10 ms", "710 µs". */
export function formatTime(ns: number): string {
  return scaledTime(ns, (x) => x.toPrecision(3));
}

/** Bytes in MiB to a tenth, so that a size just under a limit reads as under it ("4095.9 MiB", not "4096 MiB"). */
export function formatMiB(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** "1 thread", "2 threads". */
export function formatThreads(n: number): string {
  return `${n} thread${n === 1 ? '' : 's'}`;
}

/**
 * A calibration's read bandwidth: "20.0 GB/s (2 threads; one 9.9)"; plain "9.9 GB/s" for a
 * calibration from before the probe read on every core.
 */
export function formatReadBandwidth(c: { readBandwidth: number; readThreads?: number; oneThreadReadBandwidth?: number }): string {
  const gb = (x: number) => (x / 1e9).toFixed(1);
  if (c.readThreads === undefined) return `${gb(c.readBandwidth)} GB/s`;
  const one = c.readThreads > 1 && c.oneThreadReadBandwidth !== undefined ? `; one ${gb(c.oneThreadReadBandwidth)}` : '';
  return `${gb(c.readBandwidth)} GB/s (${formatThreads(c.readThreads)}${one})`;
}

export function formatRatio(x: number): string {
  if (!Number.isFinite(x)) return '—';
  if (x >= 100) return `${x.toFixed(0)}x`;
  if (x >= 10) return `${x.toFixed(1)}x`;
  return `${x.toFixed(2)}x`;
}

/** A speedup with its interval: "1.50x [1.40x, 1.60x]". */
export function formatRatioInterval(x: number, low: number, high: number): string {
  return `${formatRatio(x)} [${formatRatio(low)}, ${formatRatio(high)}]`;
}

export function formatPercent(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toPrecision(3)}%` : '—';
}

/** What a chart's values are (its y axis): durations in ns, ratios, or fractions shown as percentages. */
export type ValueUnit = 'ratio' | 'ns' | 'fraction';

/** A value of `unit` as the tables write it; the charts' tooltips write it so too. */
export function formatValue(unit: ValueUnit, x: number): string {
  if (unit === 'ns') return formatTime(x);
  if (unit === 'fraction') return formatPercent(x);
  return formatRatio(x);
}

/** An axis label: at most three significant digits and no zeros ending it ("20x", "1.5x", "0.005x", "2 µs", "50%"), where a table writes "20.0x". */
export function formatTick(unit: ValueUnit, x: number): string {
  const shortest = (v: number) => String(Number(v.toPrecision(3)));
  if (unit === 'ns') return scaledTime(x, shortest);
  if (unit === 'fraction') return Number.isFinite(x) ? `${shortest(x * 100)}%` : '—';
  return Number.isFinite(x) ? `${shortest(x)}x` : '—';
}

/** "i768 o768 d12 ℓ32 b256", with the activation when not ReLU and "ufb" on a UltraFastBERT shape. */
export function formatShape(s: {
  inputDim: number;
  outputDim: number;
  depth: number;
  leafWidth: number;
  batchSize: number;
  activation?: string;
  tree?: 'ufb';
}): string {
  return `i${s.inputDim} o${s.outputDim} d${s.depth} ℓ${s.leafWidth} b${s.batchSize}${s.activation && s.activation !== 'relu' ? ` ${s.activation}` : ''}${s.tree === 'ufb' ? ' ufb' : ''}`;
}
