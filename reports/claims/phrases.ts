/**
 * The words for a claim verdict and its parts, shared by the page (page/html.ts), summary.md
 * (page/markdown.ts) and the terminal (claims/text.ts), so the three say the same thing the same way.
 */
import type { ClaimLimit, LimitKind } from '../../src/claims/limit.ts';
import type { Claim } from '../../src/claims/claims.ts';
import { formatRatio, formatRatioInterval, formatShape, formatThreads, formatTime, treeLabel } from '../../src/text/format.ts';
import type { MeasuredPoint } from '../../src/claims/measured.ts';
import type { Verdict, VerdictStatus } from '../../src/claims/verdicts.ts';

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

/** "❌ not reproduced (1.91x short)": the status with its gap, where a table cell holds it. */
export function verdictLabel(v: Verdict): string {
  return VERDICT_LABEL[v.status] + (v.gap ? ` (${formatRatio(v.gap)} short)` : '');
}

/** A limit's name, as the page's second badge shows it. */
export const LIMIT_NAME: Record<LimitKind, string> = {
  hardware: 'hardware-limited',
  'unmeasured-depths': 'deeper depths not measured',
  'tree-kernel': 'kernel-limited',
  'within-rules': 'both kernels within their rules',
  unknown: 'limit unknown',
};

const x = formatRatio;
const where = (p: MeasuredPoint) => `${p.runtime}, depth ${p.shape.depth}`;

/**
 * The limit in a sentence, said right after the verdict's summary wherever it appears: what stands in
 * the way of the claim here, with the multiples and what the floors allow (src/claims/limit.ts).
 */
export function limitSentence(l: ClaimLimit, claim: Claim): string {
  const claimed = claim.claimedSpeedup;
  if (l.kind === 'unknown' || !l.at || l.allowed === undefined)
    return `Limit unknown: ${l.unknownBecause ?? 'no roofline floors'}, so nothing says whether the hardware or a kernel stands in the way.`;
  const p = l.at;
  const tree = treeLabel(p.shape);
  const floors = `dense floor ${formatTime(p.floors.dense.floorNs)}, ${p.floors.dense.bound}-bound / ${tree} floor ${formatTime(p.floors.fff.floorNs)}, ${p.floors.fff.bound}-bound`;
  if (l.kind === 'hardware') {
    return `Hardware-limited: this machine's roofline floors allow at most ${x(l.allowed)} at the claim's setup (${where(p)}: ${floors}), below the claimed ${x(claimed)}: no kernel could reach it here.`;
  }
  if (l.kind === 'unmeasured-depths') {
    return `Not settled by the depths measured: up to depth ${l.deepestMeasured} this machine's roofline floors allow at most ${x(l.allowed)} (${where(p)}: ${floors}), below the claimed ${x(claimed)}, but the claim runs to depth ${claim.match.depth.to}, and a deeper tree is allowed more: measure the deeper depths.`;
  }
  const treeSide = `the ${tree} (${p.fff.backend}, ${formatThreads(p.fff.threads)})`;
  if (l.kind === 'tree-kernel') {
    return `Kernel-limited: not reached here by these kernels: ${treeSide} ran at ${x(p.floors.fff.multiple)} its floor, above the ${x(l.maxTreeMultiple)} the tree rule allows; this machine's limits allow ${x(l.allowed)} there (${where(p)}: ${floors}), above the claimed ${x(claimed)}.`;
  }
  return (
    `Not reached with both kernels within their rules: ${treeSide} ran at ${x(p.floors.fff.multiple)} its floor (the rule allows ${x(l.maxTreeMultiple)}), the dense layer (${p.dense.backend}) at ${x(p.floors.dense.multiple)} (allowed ${x(l.maxDenseMultiple)}); ` +
    `the floors allow ${x(l.allowed)} there (${where(p)}), above the claimed ${x(claimed)}, but the measured speedup is that × dense multiple / tree multiple, so two kernels each within their rule can still fall short.`
  );
}

/** The limit in a table cell: "kernel-limited: FFF (wasm-mt) 5.57x its floor; floors allow 8.50x", or "—". */
export function limitCell(v: Verdict): string {
  const l = v.limit;
  if (!l) return '—';
  if (l.kind === 'unknown' || !l.at || l.allowed === undefined) return 'limit unknown (no roofline floors)';
  const allows = `floors allow ${x(l.allowed)}`;
  const tree = treeLabel(l.at.shape);
  if (l.kind === 'hardware') return `hardware-limited: ${allows}`;
  if (l.kind === 'unmeasured-depths') return `deeper depths not measured: ${allows} up to depth ${l.deepestMeasured}`;
  if (l.kind === 'tree-kernel') return `kernel-limited: ${tree} (${l.at.fff.backend}) ${x(l.at.floors.fff.multiple)} its floor; ${allows}`;
  return `both kernels within their rules (${tree} ${x(l.at.floors.fff.multiple)}, dense ${x(l.at.floors.dense.multiple)} their floors); ${allows}`;
}

/** The verdict's summary followed by its limit: the one paragraph a reader takes away. */
export function verdictSentence(v: Verdict): string {
  return v.limit ? `${v.summary} ${limitSentence(v.limit, v.claim)}` : v.summary;
}

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
  return formatRatioInterval(p.speedup, p.ciLow, p.ciHigh);
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
