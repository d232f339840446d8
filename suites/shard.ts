/**
 * Sharding: `--shard K/N` runs a deterministic 1/N of a suite's cases, so nightly CI can split a
 * sweep across jobs and machines. FFF and dense of one (runtime, backend, shape) always land in the
 * same shard — a speedup needs both. Groups are balanced by estimated cost (longest first, each to
 * the least-loaded shard), which depends only on the suite, so every job computes the same split.
 */
import { shapeKey, type CaseSpec } from '../src/model/case.ts';
import { UserError } from '../src/errors.ts';
import { macsPerSample } from '../src/model/cost.ts';
import type { Measurement } from './schema.ts';

export interface Shard {
  index: number; // 1-based
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UserError(`--shard: "${text}" is not K/N with 1 ≤ K ≤ N (for example 2/3)`);
  }
  return { index, count };
}

/** Rough seconds a case takes: its sampling time plus the weights' set-up, both bounded by the settings. */
export function estimatedCaseSeconds(c: CaseSpec, m: Measurement): number {
  const callSeconds = (macsPerSample(c.model, c.shape) * c.shape.batchSize) / 1e9; // ~1 GMAC/s, pessimistic
  const sampling = Math.min(m.maxCaseTimeMs / 1000, Math.max(m.minTimeMs / 1000, callSeconds * m.minSamples));
  return sampling + callSeconds * (m.warmupSamples + 2) + 0.05;
}

export function selectShard(cases: CaseSpec[], shard: Shard, m: Measurement): CaseSpec[] {
  if (shard.count === 1) return cases;
  const groups = new Map<string, { cases: CaseSpec[]; cost: number }>();
  for (const c of cases) {
    const key = `${c.runtime}/${c.backend}/${shapeKey(c.shape)}`;
    const group = groups.get(key) ?? { cases: [], cost: 0 };
    group.cases.push(c);
    group.cost += estimatedCaseSeconds(c, m);
    groups.set(key, group);
  }
  // Longest processing time first; ties broken by key so the split never depends on Map order.
  const ordered = [...groups.entries()].sort((a, b) => b[1].cost - a[1].cost || (a[0] < b[0] ? -1 : 1));
  const load = new Array<number>(shard.count).fill(0);
  const chosen = new Set<string>();
  for (const [, group] of ordered) {
    let target = 0;
    for (let k = 1; k < shard.count; k++) if (load[k] < load[target]) target = k;
    load[target] += group.cost;
    if (target === shard.index - 1) for (const c of group.cases) chosen.add(c.id);
  }
  return cases.filter((c) => chosen.has(c.id));
}
