/** Every colour and point style the report's charts use, so a runtime · backend looks the same in every chart. */
import type { RuntimeName } from '../../src/model/runtimes.ts';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
/** One per leaf width on a chart (the line's colour is its runtime · backend). */
export const POINT_STYLES = ['circle', 'triangle', 'rect', 'rectRot', 'star', 'crossRot'];
export const BOUND_COLOR = '#555555';
export const CLAIM_COLOR = '#c0392b';
export const REFERENCE_COLOR = '#999999';
/** The machine-level curve (fastest FFF against fastest dense), drawn over the per-backend ones. */
export const BEST_COLOR = '#000000';

/**
 * Each runtime's colour where runtimes are compared (close to their logos'). Keyed by RuntimeName,
 * so a runtime added to RUNTIME_NAMES (src/model/runtimes.ts) fails the typecheck until it has one.
 */
const RUNTIME_COLORS: Record<RuntimeName, string> = { node: '#3c873a', 'node@24': '#7cb342', 'node@22': '#1b5e20', deno: '#222222', bun: '#d97706' };

export function runtimeColor(runtime: string): string {
  // a line no longer listed (an old history's node@20) takes its engine's colour
  return (RUNTIME_COLORS as Record<string, string>)[runtime] ?? (RUNTIME_COLORS as Record<string, string>)[runtime.split('@')[0]] ?? PALETTE[0];
}

/** Stable colours: one per runtime · backend of `pairs`, assigned in sorted order, across every chart of a report. */
export function colorMap(pairs: { runtime: string; backend: string }[]): (runtime: string, backend: string) => string {
  const keys = [...new Set(pairs.map((p) => `${p.runtime}·${p.backend}`))].sort();
  return (runtime, backend) => PALETTE[Math.max(0, keys.indexOf(`${runtime}·${backend}`)) % PALETTE.length];
}

/**
 * One colour per machine where machines share a chart (the "Machines compared" section): in the
 * order given, so the baseline, listed first, keeps the first colour in every chart.
 */
const MACHINE_PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

export function machineColorMap(ids: string[]): (id: string) => string {
  return (id) => MACHINE_PALETTE[Math.max(0, ids.indexOf(id)) % MACHINE_PALETTE.length];
}
