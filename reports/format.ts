/** Number formatting shared by the CLI table, Markdown and HTML reports. */

export function formatTime(ns: number): string {
  if (!Number.isFinite(ns)) return '—';
  if (ns < 1e3) return `${ns.toFixed(0)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toPrecision(3)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`;
  return `${(ns / 1e9).toPrecision(3)} s`;
}

/** "1 thread", "2 threads". */
export function formatThreads(n: number): string {
  return `${n} thread${n === 1 ? '' : 's'}`;
}

export function formatRatio(x: number): string {
  if (!Number.isFinite(x)) return '—';
  if (x >= 100) return `${x.toFixed(0)}x`;
  if (x >= 10) return `${x.toFixed(1)}x`;
  return `${x.toFixed(2)}x`;
}

export function formatPercent(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toPrecision(3)}%` : '—';
}

export function formatShape(s: { inputDim: number; outputDim: number; depth: number; leafWidth: number; batchSize: number; activation?: string }): string {
  return `i${s.inputDim} o${s.outputDim} d${s.depth} ℓ${s.leafWidth} b${s.batchSize}${s.activation && s.activation !== 'relu' ? ` ${s.activation}` : ''}`;
}
