/**
 * Pairs every ok tree result (FFF, or UltraFastBERT's on its shapes) with the ok dense result of
 * the same runtime, backend and shape (encoder layers pair among themselves: encoder-comparisons.ts). A UltraFastBERT shape's key ends in "-ufb", so its tree
 * pairs with the 2^(d+1) − 1-wide dense layer of that shape, never with an FFF shape's.
 */
import { shapeKey } from '../model/case.ts';
import { ratioOfMedians } from '../measure/stats.ts';
import { theoreticalSpeedup } from '../model/cost.ts';
import type { SpeedupPair, Result } from './schema.ts';

/** Speedup of `fff` over `dense` (ratio of medians with its bootstrap interval) against the cost model. */
function pair(fff: Result, dense: Result, backend: string, extra: Partial<SpeedupPair> = {}): SpeedupPair {
  const { ratio, ciLow, ciHigh } = ratioOfMedians(dense.stats!.samples, fff.stats!.samples);
  const theoretical = theoreticalSpeedup(fff.shape);
  return {
    runtime: fff.runtime.name,
    backend,
    ...extra,
    shape: fff.shape,
    treeId: fff.id,
    denseId: dense.id,
    speedup: ratio,
    speedupCiLow: ciLow,
    speedupCiHigh: ciHigh,
    theoreticalSpeedup: theoretical,
    efficiency: ratio / theoretical,
  };
}

export function buildComparisons(results: Result[]): SpeedupPair[] {
  const key = (r: Result) => `${r.runtime.name}/${r.backend.name}/${shapeKey(r.shape)}`;
  const dense = new Map<string, Result>();
  for (const r of results) if (r.model === 'dense' && r.status === 'ok' && r.stats) dense.set(key(r), r);
  const comparisons: SpeedupPair[] = [];
  for (const fff of results) {
    if (fff.model === 'dense' || fff.model === 'encoder' || fff.status !== 'ok' || !fff.stats) continue;
    const d = dense.get(key(fff));
    if (!d?.stats) continue;
    comparisons.push(pair(fff, d, fff.backend.name));
  }
  return comparisons;
}

/**
 * The question a user asks of a machine: the fastest FFF it can run against the fastest dense
 * layer it can run, on the same runtime and shape, whichever backends those are. A per-backend
 * speedup can be large only because that backend's dense kernel is slow (one thread against
 * another backend's two); this one cannot. `backend` reads "<FFF backend> vs <dense backend>".
 */
export function buildBestComparisons(results: Result[]): SpeedupPair[] {
  const groups = new Map<string, { fff?: Result; dense?: Result }>();
  for (const r of results) {
    // encoder layers pair among themselves (encoder-comparisons.ts)
    if (r.status !== 'ok' || !r.stats || r.model === 'encoder') continue;
    const key = `${r.runtime.name}/${shapeKey(r.shape)}`;
    const group = groups.get(key) ?? {};
    const side = r.model === 'dense' ? 'dense' : 'fff';
    const best = group[side];
    if (!best || r.stats.median < best.stats!.median) group[side] = r;
    groups.set(key, group);
  }
  const comparisons: SpeedupPair[] = [];
  for (const { fff, dense } of groups.values()) {
    if (!fff?.stats || !dense?.stats) continue;
    comparisons.push(pair(fff, dense, `${fff.backend.name} vs ${dense.backend.name}`, { treeBackend: fff.backend.name, denseBackend: dense.backend.name }));
  }
  return comparisons;
}
