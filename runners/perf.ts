/**
 * `npm run perf`: a benchmark, not a test. Runs suites/perf.json on node and prints, per shape,
 * the roofline floors, each backend's FFF and dense medians as multiples of them, the speedups,
 * and issue 8's targets (met or missed, with the numbers) — ratios within this one run.
 */
import { relative } from 'node:path';
import { shapeKey } from '../src/execute/case.ts';
import { theoreticalSpeedup } from '../src/model/cost.ts';
import type { Result, ResultsFile } from '../src/results/schema.ts';
import { formatRatio, formatShape, formatTime } from '../reports/format.ts';
import { runSuiteCommand } from './run.ts';

interface Target {
  text: string;
  met: boolean | undefined;
  detail: string;
}

const find = (file: ResultsFile, backend: string, model: string, depth: number, batch: number): Result | undefined =>
  file.results.find((r) => r.backend.name === backend && r.model === model && r.shape.depth === depth && r.shape.batchSize === batch && r.status === 'ok' && r.stats);

function gflops(r: Result): number {
  return (2 * r.cost.macsPerSample * r.shape.batchSize) / r.stats!.median;
}

function table(file: ResultsFile): string {
  const lines: string[] = [];
  const shapes = new Map<string, Result['shape']>();
  for (const r of file.results) shapes.set(shapeKey(r.shape), r.shape);
  for (const shape of shapes.values()) {
    const here = file.results.filter((r) => shapeKey(r.shape) === shapeKey(shape));
    const floor = (model: string) => here.find((r) => r.model === model && r.roofline)?.roofline;
    const f = floor('fff');
    const d = floor('dense');
    lines.push(`\n${formatShape(shape)}  floors: FFF ${f ? `${formatTime(f.floorNs)} (${f.bound})` : '—'}, dense ${d ? `${formatTime(d.floorNs)} (${d.bound})` : '—'}; theoretical speedup ${formatRatio(theoreticalSpeedup(shape))}`);
    lines.push(`  ${'backend'.padEnd(12)} ${'FFF median'.padStart(11)} ${'×floor'.padStart(7)} ${'dense median'.padStart(13)} ${'×floor'.padStart(7)} ${'dense GFLOP/s'.padStart(13)} ${'speedup'.padStart(8)}`);
    for (const backend of [...new Set(here.map((r) => r.backend.name))]) {
      const fff = here.find((r) => r.backend.name === backend && r.model === 'fff');
      const dense = here.find((r) => r.backend.name === backend && r.model === 'dense');
      const cell = (r: Result | undefined) => (r?.stats ? formatTime(r.stats.median) : r ? r.status : '—');
      const mult = (r: Result | undefined) => (r?.roofline ? r.roofline.multiple.toFixed(1) : '—');
      const comparison = file.comparisons.find((c) => c.backend === backend && shapeKey(c.shape) === shapeKey(shape));
      lines.push(`  ${backend.padEnd(12)} ${cell(fff).padStart(11)} ${mult(fff).padStart(7)} ${cell(dense).padStart(13)} ${mult(dense).padStart(7)} ${(dense?.stats ? (gflops(dense)).toFixed(1) : '—').padStart(13)} ${(comparison ? formatRatio(comparison.speedup) : '—').padStart(8)}`);
    }
  }
  return lines.join('\n');
}

function targets(file: ResultsFile): Target[] {
  const out: Target[] = [];
  const wasmDense = find(file, 'wasm', 'dense', 7, 256);
  const ortDense = find(file, 'ort-wasm', 'dense', 7, 256);
  out.push({
    text: 'wasm dense (i = o = 768, width 4096, batch 256) ≥ 80% of ort-wasm single-thread throughput',
    met: wasmDense && ortDense ? gflops(wasmDense) >= 0.8 * gflops(ortDense) : undefined,
    detail: wasmDense && ortDense ? `${gflops(wasmDense).toFixed(1)} vs ${gflops(ortDense).toFixed(1)} GFLOP/s (${((100 * gflops(wasmDense)) / gflops(ortDense)).toFixed(0)}%)` : 'not measured',
  });
  for (const [batch, limit] of [[1, 3], [256, 2]] as const) {
    const r = find(file, 'wasm', 'fff', 12, batch);
    out.push({
      text: `wasm FFF (ℓ = 32, d = 12, batch ${batch}) within ${limit}x of its memory floor`,
      met: r?.roofline ? r.roofline.multiple <= limit : undefined,
      detail: r?.roofline ? `${formatTime(r.stats!.median)} against a floor of ${formatTime(r.roofline.floorNs)} (${r.roofline.multiple.toFixed(2)}x; ${(r.roofline.bytes / 1e6).toFixed(2)} MB at ${(file.machine.calibration!.node.readBandwidth / 1e9).toFixed(1)} GB/s)` : 'not measured',
    });
  }
  // The run's own fastest-against-fastest pair (results file `bestComparisons`), with the floors
  // its two results were placed against.
  const best = file.bestComparisons?.find((c) => c.runtime === 'node' && c.shape.depth === 12 && c.shape.batchSize === 256);
  const byId = new Map(file.results.map((r) => [r.id, r]));
  const fff = best && byId.get(best.fffId);
  const dense = best && byId.get(best.denseId);
  const rooflineSpeedup = fff?.roofline && dense?.roofline ? dense.roofline.floorNs / fff.roofline.floorNs : undefined;
  out.push({
    text: 'best CPU FFF against best CPU dense at d = 12, batch 256 (paper-fig3 shape), node',
    met: undefined,
    detail:
      best && fff && dense
        ? `${formatRatio(best.speedup)} [${formatRatio(best.speedupCiLow)}, ${formatRatio(best.speedupCiHigh)}] (FFF ${best.fffBackend} ${formatTime(fff.stats!.median)}, dense ${best.denseBackend} ${formatTime(dense.stats!.median)}); theoretical ${formatRatio(best.theoreticalSpeedup)}, efficiency ${(100 * best.efficiency).toFixed(1)}%` +
          (rooflineSpeedup ? `; the floors allow ${formatRatio(rooflineSpeedup)} (dense is compute-bound, the FFF memory-bound: the cost model counts MACs, the hardware moves bytes)` : '')
        : 'not measured',
  });
  return out;
}

const { file, out } = await runSuiteCommand({ suite: 'perf' });
const c = file.machine.calibration?.node;
if (c) console.log(`machine limits (node): read ${(c.readBandwidth / 1e9).toFixed(1)} GB/s, copy ${(c.copyBandwidth / 1e9).toFixed(1)} GB/s, peak ${(c.peakFlops / 1e9).toFixed(1)} GFLOP/s (${c.peakBackend})`);
console.log(table(file));
console.log('\nTargets (issue 8), ratios within this run:');
for (const t of targets(file)) console.log(`  ${t.met === undefined ? '  · ' : t.met ? 'met ' : 'MISS'} ${t.text}: ${t.detail}`);
console.log(`\nresults: ${relative(process.cwd(), out)}`);
