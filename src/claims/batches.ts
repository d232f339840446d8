/**
 * Where across batch sizes a claim's speedup is largest: the claim's setup measured at other batch
 * sizes (everything else as the claim names it), on the machine, runtime and depth of the
 * comparison the verdict reads. A speedup is a curve in the batch size — the tree reads a few rows
 * per sample while the dense layer turns into a compute-bound GEMM as the batch grows — so the
 * claim's one batch size is one point of it; this says where the curve peaks on this machine.
 */
import type { Claim } from './claims.ts';
import { formatRatio, formatRatioInterval } from '../text/format.ts';
import type { MeasuredPoint } from './measured.ts';

export interface BatchSweep {
  machineId: string;
  runtime: string;
  depth: number;
  /** One point per batch size, ascending: the fastest tree against the fastest dense there. */
  points: MeasuredPoint[];
  /** The largest speedup among the judged points (among all of them when none is judged). */
  largest: MeasuredPoint;
  /** One sentence for the card. */
  text: string;
}

const x = formatRatio;

/**
 * The batch sweep around `at` (the point the verdict reads) among `points`, the comparisons that
 * match `claim` but for their batch size; undefined unless at least two batch sizes were measured.
 */
export function batchSweep(claim: Claim, points: MeasuredPoint[], at: MeasuredPoint): BatchSweep | undefined {
  const byBatch = new Map<number, MeasuredPoint>();
  for (const p of points) {
    if (p.machineId !== at.machineId || p.runtime !== at.runtime || p.shape.depth !== at.shape.depth) continue;
    const held = byBatch.get(p.shape.batchSize);
    if (!held || p.speedup > held.speedup) byBatch.set(p.shape.batchSize, p);
  }
  if (byBatch.size < 2) return undefined;
  const sorted = [...byBatch.values()].sort((a, b) => a.shape.batchSize - b.shape.batchSize);
  const judged = sorted.filter((p) => !p.notJudgedBecause);
  const largest = (judged.length > 0 ? judged : sorted).reduce((a, b) => (b.speedup > a.speedup ? b : a));
  const unjudged = sorted.filter((p) => p.notJudgedBecause);
  const whereClaim = largest.shape.batchSize === claim.match.batchSize ? ', the claim’s own batch size' : '';
  const notJudged =
    unjudged.length === 0
      ? ''
      : ` Not judged at batch ${unjudged.map((p) => p.shape.batchSize).join(', ')}: ${unjudged[0].notJudgedBecause}${judged.length === 0 ? ' (so the largest is not judged either)' : ''}.`;
  return {
    machineId: at.machineId,
    runtime: at.runtime,
    depth: at.shape.depth,
    points: sorted,
    largest,
    text:
      `Across batch sizes (${at.runtime}, depth ${at.shape.depth}) the speedup is largest at batch ${largest.shape.batchSize}${whereClaim}: ` +
      `${formatRatioInterval(largest.speedup, largest.ciLow, largest.ciHigh)}. By batch: ${sorted.map((p) => `${p.shape.batchSize} → ${x(p.speedup)}`).join(', ')}.${notJudged}`,
  };
}
