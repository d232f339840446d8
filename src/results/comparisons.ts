/** Pairs every ok FFF result with the ok dense result of the same runtime, backend and shape. */
import { shapeKey } from '../execute/case.ts';
import { ratioOfMedians } from '../measure/stats.ts';
import { theoreticalSpeedup } from '../model/cost.ts';
import type { Comparison, Result } from './schema.ts';

export function buildComparisons(results: Result[]): Comparison[] {
  const key = (r: Result) => `${r.runtime.name}/${r.backend.name}/${shapeKey(r.shape)}`;
  const dense = new Map<string, Result>();
  for (const r of results) if (r.model === 'dense' && r.status === 'ok' && r.stats) dense.set(key(r), r);
  const comparisons: Comparison[] = [];
  for (const fff of results) {
    if (fff.model !== 'fff' || fff.status !== 'ok' || !fff.stats) continue;
    const d = dense.get(key(fff));
    if (!d?.stats) continue;
    const { ratio, ciLow, ciHigh } = ratioOfMedians(d.stats.samples, fff.stats.samples);
    const theoretical = theoreticalSpeedup(fff.shape);
    comparisons.push({
      runtime: fff.runtime.name,
      backend: fff.backend.name,
      shape: fff.shape,
      fffId: fff.id,
      denseId: d.id,
      speedup: ratio,
      speedupCiLow: ciLow,
      speedupCiHigh: ciHigh,
      theoreticalSpeedup: theoretical,
      efficiency: ratio / theoretical,
    });
  }
  return comparisons;
}
