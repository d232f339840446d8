/**
 * Hand-made results files for report and verdict tests: each comparison is given by its shape and
 * speedup interval; the FFF and dense results behind it are synthesised so the file passes the schema.
 */
import { summarize } from '../src/measure/stats.ts';
import { shapeKey } from '../src/model/case.ts';
import { theoreticalSpeedup } from '../src/model/cost.ts';
import type { Rng } from '../src/model/rng.ts';
import { trainingWidth } from '../src/model/shape.ts';
import { buildComparisons } from '../src/results/comparisons.ts';
import type { RuntimeName } from '../src/model/runtimes.ts';
import { ResultsFileSchema, SCHEMA_VERSION, type Machine, type Result, type ResultsFile } from '../src/results/schema.ts';

export interface CraftedComparison {
  /** `tree: 'ufb'`: a UltraFastBERT shape, whose tree result is model ufb. */
  shape: { inputDim: number; outputDim: number; depth: number; leafWidth: number; batchSize: number; activation?: 'relu' | 'gelu'; tree?: 'ufb' };
  speedup: number;
  ciLow?: number;
  ciHigh?: number;
  runtime?: RuntimeName;
  /** The exact version that ran (default 1.0.0). */
  runtimeVersion?: string;
  backend?: string;
  /** Status of the FFF result (the dense one is always ok). Anything but ok means "not measured". */
  fffStatus?: Result['status'];
  /** The dense result's median as a multiple of its (compute-bound) roofline floor: 1 = at this machine's best. */
  denseMultiple?: number;
  /**
   * The tree result's median as a multiple of its roofline floor (default 2). With the dense
   * multiple it sets the speedup the floors allow: speedup × fffMultiple / denseMultiple.
   */
  fffMultiple?: number;
  /** Backend of the dense side when it differs from the FFF's (a best-vs-best pair). */
  denseBackend?: string;
  /** A GPU adapter both sides report, e.g. "llvmpipe (software adapter)". */
  adapter?: string;
  /** Its class as a run records it (absent: a file from before backend.adapterClass). */
  adapterClass?: 'hardware' | 'software' | 'unidentified';
}

/** A machine whose node calibration names ort-node as the fastest dense GEMM and js as a slow one. */
export function craftMachine(id = 'crafted-machine'): Machine {
  const calibration = {
    readBandwidth: 30e9,
    copyBandwidth: 20e9,
    peakFlops: 300e9,
    peakBackend: 'ort-node',
    gemmFlops: { js: 4e9, wasm: 40e9, 'ort-wasm-mt': 200e9, 'ort-node': 300e9 },
  };
  return {
    id,
    hostname: 'test',
    os: 'Linux test',
    arch: 'x64',
    cpuModel: 'Test CPU',
    cpuCores: 4,
    memoryBytes: 8 * 2 ** 30,
    calibration: { node: calibration, deno: calibration, bun: calibration },
  };
}

/** A compute-bound roofline entry placing `medianNs` at `multiple` times its floor. */
function roofline(medianNs: number, multiple: number) {
  return { floorNs: medianNs / multiple, bound: 'compute' as const, flops: 1, bytes: 1, multiple };
}

/** Stats of a result whose median is `medianNs`, six samples around it. */
export function stats(medianNs: number) {
  const samples = [0.98, 0.99, 1, 1, 1.01, 1.02].map((f) => medianNs * f);
  return {
    unit: 'ns' as const,
    samples,
    min: samples[0],
    p25: samples[1],
    median: medianNs,
    p75: samples[4],
    p99: samples[5],
    max: samples[5],
    mean: medianNs,
    ciLow: samples[1],
    ciHigh: samples[4],
    n: samples.length,
  };
}

/**
 * `calibrated: false` crafts a file as a run without calibration writes it (or one from before
 * calibration existed): no machine limits, no roofline floors.
 */
export function craftResults(comparisons: CraftedComparison[], opts: { machine?: Machine; suite?: string; calibrated?: boolean } = {}): ResultsFile {
  const results: Result[] = [];
  const out: ResultsFile['comparisons'] = [];
  for (const c of comparisons) {
    const shape = { activation: 'relu' as const, ...c.shape, trainingWidth: trainingWidth(c.shape) };
    const runtime = c.runtime ?? 'node';
    const backend = c.backend ?? 'js';
    const key = shapeKey(shape);
    const tree = shape.tree === 'ufb' ? 'ufb' : 'fff';
    const denseBackend = c.denseBackend ?? backend;
    const backendInfo = (name: string, threads: number) => ({
      name,
      version: '1',
      threads,
      denseKernel: 'test GEMM',
      fffStrategy: 'test walk',
      ...(c.adapter ? { adapter: c.adapter } : {}),
      ...(c.adapterClass ? { adapterClass: c.adapterClass } : {}),
    });
    const base = {
      runtime: { name: runtime, version: c.runtimeVersion ?? '1.0.0' },
      shape,
      cost: { macsPerSample: 1, weightBytes: 1, bytesTouchedPerSample: 1 },
    };
    const denseMedian = 1e6;
    const fffStatus = c.fffStatus ?? 'ok';
    results.push({
      ...base,
      backend: backendInfo(denseBackend, 2),
      id: `${runtime}/${denseBackend}/dense/${key}`,
      model: 'dense',
      status: 'ok',
      stats: stats(denseMedian),
      roofline: roofline(denseMedian, c.denseMultiple ?? 1),
    });
    results.push(
      fffStatus === 'ok'
        ? {
            ...base,
            backend: backendInfo(backend, 1),
            id: `${runtime}/${backend}/${tree}/${key}`,
            model: tree,
            status: 'ok',
            stats: stats(denseMedian / c.speedup),
            roofline: roofline(denseMedian / c.speedup, c.fffMultiple ?? 2),
          }
        : {
            ...base,
            backend: backendInfo(backend, 1),
            id: `${runtime}/${backend}/${tree}/${key}`,
            model: tree,
            status: fffStatus,
            reason: `crafted ${fffStatus} case`,
          },
    );
    const theoretical = theoreticalSpeedup(shape);
    out.push({
      runtime,
      backend: denseBackend === backend ? backend : `${backend} vs ${denseBackend}`,
      ...(denseBackend === backend ? {} : { treeBackend: backend, denseBackend }),
      shape,
      treeId: `${runtime}/${backend}/${tree}/${key}`,
      denseId: `${runtime}/${denseBackend}/dense/${key}`,
      speedup: c.speedup,
      speedupCiLow: c.ciLow ?? c.speedup * 0.98,
      speedupCiHigh: c.ciHigh ?? c.speedup * 1.02,
      theoreticalSpeedup: theoretical,
      efficiency: c.speedup / theoretical,
    });
  }
  if (opts.calibrated === false) for (const r of results) delete r.roofline;
  const machine = opts.machine ?? craftMachine();
  if (opts.calibrated === false) delete machine.calibration;
  return ResultsFileSchema.parse({
    schemaVersion: SCHEMA_VERSION,
    suite: { name: opts.suite ?? 'crafted', file: 'suites/crafted.json' },
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    machine,
    results,
    comparisons: out,
  });
}

/** The paper's headline setup (arXiv 2308.14711 Fig. 3-4) at one depth. */
export const FIG3 = (depth: number) => ({ inputDim: 768, outputDim: 768, leafWidth: 32, batchSize: 256, depth });
/** UltraFastBERT's CPU setup (arXiv 2311.10770): its tree at depth 11, i = o = 768, GELU, at a batch size. */
export const UFB78 = (batchSize = 16384) => ({
  inputDim: 768,
  outputDim: 768,
  leafWidth: 1,
  batchSize,
  depth: 11,
  activation: 'gelu' as const,
  tree: 'ufb' as const,
});
/** Table 1's MNIST shape at training width 128, leaf width 1. */
export const TABLE1 = { inputDim: 784, outputDim: 10, leafWidth: 1, batchSize: 2048, depth: 7 };

/** Lognormal-ish timing samples around `median` ns (5% spread). */
export function timingSamples(rng: Rng, n: number, median: number): number[] {
  return Array.from({ length: n }, () => median * Math.exp(0.05 * normal(rng)));
}

function normal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(Math.max(1e-12, rng.next()))) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * A run of `file` as a noisy VM produces them: every case of the run is shifted by one draw of the
 * run-to-run noise (lognormal, `runNoise`), its samples scatter 5% around that (median 100 µs
 * before the shift), and `slowdown` plants a real change. Its comparisons are those of `file`
 * (compare reads only the results; `rerun` rebuilds them, at a bootstrap per pair).
 */
export function shiftRun(file: ResultsFile, rng: Rng, runNoise: number, slowdown: (id: string) => number = () => 1): ResultsFile {
  const results = file.results.map((r) => {
    if (r.status !== 'ok' || !r.stats) return r;
    const shift = Math.exp(runNoise * normal(rng));
    return { ...r, stats: summarize(timingSamples(rng, 30, 1e5 * shift * slowdown(r.id))) };
  });
  return { ...file, results };
}

/** shiftRun with the comparisons rebuilt from the shifted results: a results file as run writes it. */
export function rerun(file: ResultsFile, rng: Rng, runNoise: number, slowdown: (id: string) => number = () => 1): ResultsFile {
  const shifted = shiftRun(file, rng, runNoise, slowdown);
  return { ...shifted, comparisons: buildComparisons(shifted.results) };
}
