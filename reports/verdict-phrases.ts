/**
 * The words for a claim verdict and its parts, shared by the page (render-html.ts), summary.md
 * (render-markdown.ts) and the terminal (verdict-text.ts), so the three say the same thing the same way.
 */
import { formatRatio, formatShape, formatThreads, treeLabel } from './format.ts';
import type { MeasuredPoint } from './measured.ts';
import type { Verdict, VerdictStatus } from './verdicts.ts';

/** A status's name, as the page's badge shows it. */
export const VERDICT_NAME: Record<VerdictStatus, string> = {
  reproduced: 'Reproduced',
  'not-reproduced': 'Not reproduced',
  'not-judged': 'Not judged',
  'not-measured': 'Not measured',
};

const MARK: Record<VerdictStatus, string> = { reproduced: '✅', 'not-reproduced': '❌', 'not-judged': '⚠️', 'not-measured': '⚪' };

/** "✅ reproduced": the status in text, where no colour carries it (summary.md, the terminal). */
export const VERDICT_LABEL = Object.fromEntries(
  Object.entries(VERDICT_NAME).map(([status, name]) => [status, `${MARK[status as VerdictStatus]} ${name.toLowerCase()}`]),
) as Record<VerdictStatus, string>;

/** "FFF wasm (1 thread) / dense ort-node (2 threads)" */
export function sidesText(p: MeasuredPoint): string {
  return `${treeLabel(p.shape)} ${p.fff.backend} (${formatThreads(p.fff.threads)}) / dense ${p.dense.backend} (${formatThreads(p.dense.threads)})`;
}

/** The verdict's point, or for a not-judged claim the unjudged one. */
export function shownPoint(v: Verdict): MeasuredPoint | undefined {
  return v.best ?? v.unjudged;
}

/** "i768 o768 d12 ℓ32 b256 (width 131072), node · wasm vs ort-node" */
export function pointText(p: MeasuredPoint): string {
  return `${formatShape(p.shape)} (width ${p.shape.trainingWidth}), ${p.runtime} · ${p.backend}`;
}

/** "215x [205x, 220x]" */
export function intervalText(p: MeasuredPoint): string {
  return `${formatRatio(p.speedup)} [${formatRatio(p.ciLow)}, ${formatRatio(p.ciHigh)}]`;
}

/** Where the claim is reached, in a table cell: "from depth 13", "not reached; extrapolated depth 16", "not reached", or "—". */
export function whereReachedText(v: Verdict): string {
  if (!v.reach) return '—';
  if (v.reach.reachedAt) return `from depth ${v.reach.reachedAt.shape.depth}`;
  return v.reach.extrapolation ? `not reached; extrapolated depth ${v.reach.extrapolation.depth}` : 'not reached';
}

/** The cost-model bound at the claim's shallowest and deepest depth: "1.97x at d=1 … 26546x at d=15". */
export function boundText(v: Verdict): string {
  return v.boundAtClaim.map((b) => `${formatRatio(b.theoretical)} at d=${b.depth}`).join(' … ');
}

/** Not-measured cases grouped by status and reason: "4 skipped at depth 14, 15: weights exceed …". */
export function notMeasuredText(cases: Verdict['notMeasuredCases']): string[] {
  const groups = new Map<string, { status: string; reason: string; depths: Set<number>; count: number }>();
  for (const c of cases) {
    const key = `${c.status}\u0000${c.reason}`;
    const g = groups.get(key) ?? { status: c.status, reason: c.reason, depths: new Set<number>(), count: 0 };
    g.count += 1;
    g.depths.add(c.depth);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => `${g.count} ${g.status} at depth ${[...g.depths].sort((a, b) => a - b).join(', ')}: ${g.reason}`);
}
