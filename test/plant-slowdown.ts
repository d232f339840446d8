/**
 * Plants a known slowdown in a copy of a results file, to measure what compare catches:
 *   npx tsx test/plant-slowdown.ts IN.json OUT.json [--cases 10] [--factor 1.2] [--seed 1]
 * Picks the cases at random (seeded) among the ok ones, scales their samples and statistics, and
 * prints the planted case keys (one per line) so a test or a reader can match them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { caseKey } from '../src/compare/compare.ts';
import { Rng } from '../src/model/rng.ts';
import { buildBestComparisons, buildComparisons } from '../src/results/comparisons.ts';
import { parseResultsFile } from '../src/results/load.ts';
import type { Result, ResultsFile } from '../src/results/schema.ts';

/** A case's statistics with every time in them multiplied by `factor` (its samples, quantiles, mean and interval). */
export function scaledStats(s: NonNullable<Result['stats']>, factor: number): NonNullable<Result['stats']> {
  return {
    ...s,
    samples: s.samples.map((x) => x * factor),
    min: s.min * factor,
    p25: s.p25 * factor,
    median: s.median * factor,
    p75: s.p75 * factor,
    p99: s.p99 * factor,
    max: s.max * factor,
    mean: s.mean * factor,
    ciLow: s.ciLow * factor,
    ciHigh: s.ciHigh * factor,
  };
}

export function plantSlowdown(file: ResultsFile, cases: number, factor: number, seed: number): { file: ResultsFile; planted: string[] } {
  const ok = file.results.filter((r) => r.status === 'ok' && r.stats);
  const rng = new Rng(seed);
  const chosen = new Set<string>();
  while (chosen.size < Math.min(cases, ok.length)) chosen.add(ok[Math.floor(rng.next() * ok.length)].id);
  const scale = (r: Result): Result => {
    if (!chosen.has(r.id) || !r.stats) return r;
    const stats = scaledStats(r.stats, factor);
    return { ...r, stats, ...(r.roofline ? { roofline: { ...r.roofline, multiple: r.roofline.multiple * factor } } : {}) };
  };
  const results = file.results.map(scale);
  const planted = file.results.filter((r) => chosen.has(r.id)).map(caseKey);
  // the same start time: compare --last N takes the runs before it, as for the original
  return { file: { ...file, results, comparisons: buildComparisons(results), bestComparisons: buildBestComparisons(results) }, planted };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const { values, positionals } = parseArgs({
    options: { cases: { type: 'string' }, factor: { type: 'string' }, seed: { type: 'string' } },
    allowPositionals: true,
  });
  const [input, output] = positionals;
  if (!input || !output) throw new Error('usage: plant-slowdown.ts IN.json OUT.json [--cases 10] [--factor 1.2] [--seed 1]');
  const { file, planted } = plantSlowdown(
    parseResultsFile(readFileSync(input, 'utf8'), input),
    Number(values.cases ?? 10),
    Number(values.factor ?? 1.2),
    Number(values.seed ?? 1),
  );
  writeFileSync(output, JSON.stringify(file));
  console.log(planted.join('\n'));
}
