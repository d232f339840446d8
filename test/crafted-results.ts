/**
 * Hand-made results files for report and verdict tests: each comparison is given by its shape and
 * speedup interval; the FFF and dense results behind it are synthesised so the file passes the schema.
 */
import { theoreticalSpeedup } from '../src/model/cost.ts';
import { ResultsFileSchema, type Machine, type Result, type ResultsFile } from '../src/results/schema.ts';

export interface CraftedComparison {
  shape: { inputDim: number; outputDim: number; depth: number; leafWidth: number; batchSize: number; activation?: 'relu' | 'gelu' };
  speedup: number;
  ciLow?: number;
  ciHigh?: number;
  runtime?: 'node' | 'deno' | 'bun';
  backend?: string;
  /** Status of the FFF result (the dense one is always ok). Anything but ok means "not measured". */
  fffStatus?: Result['status'];
}

export function craftMachine(id = 'crafted-machine'): Machine {
  return { id, hostname: 'test', os: 'Linux test', arch: 'x64', cpuModel: 'Test CPU', cpuCores: 4, memoryBytes: 8 * 2 ** 30 };
}

function stats(medianNs: number) {
  const samples = [0.98, 0.99, 1, 1, 1.01, 1.02].map((f) => medianNs * f);
  return { unit: 'ns' as const, samples, min: samples[0], p25: samples[1], median: medianNs, p75: samples[4], p99: samples[5], max: samples[5], mean: medianNs, ciLow: samples[1], ciHigh: samples[4], n: samples.length };
}

export function craftResults(comparisons: CraftedComparison[], opts: { machine?: Machine; suite?: string } = {}): ResultsFile {
  const results: Result[] = [];
  const out: ResultsFile['comparisons'] = [];
  for (const c of comparisons) {
    const shape = { activation: 'relu' as const, ...c.shape, trainingWidth: 2 ** c.shape.depth * c.shape.leafWidth };
    const runtime = c.runtime ?? 'node';
    const backend = c.backend ?? 'js';
    const key = `i${shape.inputDim}-o${shape.outputDim}-d${shape.depth}-l${shape.leafWidth}-b${shape.batchSize}-${shape.activation}`;
    const base = {
      runtime: { name: runtime, version: '1.0.0' },
      backend: { name: backend, version: '1', threads: 1, denseKernel: 'test GEMM', fffStrategy: 'test walk' },
      shape,
      cost: { macsPerSample: 1, weightBytes: 1, bytesTouchedPerSample: 1 },
    };
    const denseMedian = 1e6;
    const fffStatus = c.fffStatus ?? 'ok';
    results.push({ ...base, id: `${runtime}/${backend}/dense/${key}`, model: 'dense', status: 'ok', stats: stats(denseMedian) });
    results.push(
      fffStatus === 'ok'
        ? { ...base, id: `${runtime}/${backend}/fff/${key}`, model: 'fff', status: 'ok', stats: stats(denseMedian / c.speedup) }
        : { ...base, id: `${runtime}/${backend}/fff/${key}`, model: 'fff', status: fffStatus, reason: `crafted ${fffStatus} case` },
    );
    const theoretical = theoreticalSpeedup(shape);
    out.push({
      runtime,
      backend,
      shape,
      fffId: `${runtime}/${backend}/fff/${key}`,
      denseId: `${runtime}/${backend}/dense/${key}`,
      speedup: c.speedup,
      speedupCiLow: c.ciLow ?? c.speedup * 0.98,
      speedupCiHigh: c.ciHigh ?? c.speedup * 1.02,
      theoreticalSpeedup: theoretical,
      efficiency: c.speedup / theoretical,
    });
  }
  return ResultsFileSchema.parse({
    schemaVersion: 1,
    suite: { name: opts.suite ?? 'crafted', file: 'suites/crafted.json' },
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    machine: opts.machine ?? craftMachine(),
    results,
    comparisons: out,
  });
}

/** The paper's headline setup (arXiv 2308.14711 Fig. 3-4) at one depth. */
export const FIG3 = (depth: number) => ({ inputDim: 768, outputDim: 768, leafWidth: 32, batchSize: 256, depth });
/** Table 1's MNIST shape at training width 128, leaf width 1. */
export const TABLE1 = { inputDim: 784, outputDim: 10, leafWidth: 1, batchSize: 2048, depth: 7 };
