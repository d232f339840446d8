/**
 * A tree kernel on its best case, for `npm run perf`: the same kernel and weights as a suite's case,
 * on one random input row repeated through the batch, so that every sample takes the same path.
 * Then every lane of a block shares each node row (and leaf) and the path's rows stay in L1, while
 * the multiply-adds, the input read and the output written are those of the random batch. What the
 * kernel takes there is what its instructions and its input and output cost with the tree's own
 * memory traffic gone: a floor target that even this misses cannot be met by reordering the
 * tree's reads, and one it meets is missed on random inputs for the rows each sample reads from
 * the caches (which the DRAM floor does not count).
 *
 * Checked against the float64 reference before it is timed, like a case.
 */
import os from 'node:os';
import { loadBackend } from '../../src/backends/registry.ts';
import type { Kernel } from '../../src/backends/types.ts';
import { checkOutput } from '../../src/execute/check.ts';
import { weightSeedOf } from '../../src/execute/run-case.ts';
import { measureCall, type MeasureSettings } from '../../src/measure/measure.ts';
import type { SampleStats } from '../../src/measure/stats.ts';
import { deriveSeed, Rng } from '../../src/model/rng.ts';
import { type LayerShape, type TreeModel, treeModelOf } from '../../src/model/shape.ts';
import { initWeights } from '../../src/model/weights.ts';
import type { Check } from '../../src/results/schema.ts';

export type OnePathTiming = { ok: true; model: TreeModel; check: Check; stats: SampleStats; threads: number } | { ok: false; reason: string };

/** Fills `into` (a whole number of rows of `dim` floats) with copies of one seeded random row. */
export function oneRowBatch(into: Float32Array, dim: number, seed: number): Float32Array {
  const row = new Rng(seed).fillUniform(new Float32Array(dim), 1);
  for (let at = 0; at < into.length; at += dim) into.set(row, at);
  return into;
}

/**
 * Times `backend`'s tree kernel (the FFF, or UltraFastBERT's tree where `shape.tree` says so) at
 * `shape` and `batch` on one row repeated (the weights a suite's case of this shape and seed has),
 * read where the kernel keeps its input when it offers room for one.
 */
export async function timeOnePath(options: {
  backend: string;
  shape: LayerShape;
  batch: number;
  seed: number;
  measurement: MeasureSettings;
}): Promise<OnePathTiming> {
  const { shape, batch, seed, measurement } = options;
  const backend = await loadBackend(options.backend);
  const available = await backend.init({ runtime: 'node', cores: os.availableParallelism() });
  if (!available.ok) return { ok: false, reason: available.reason };
  const model = treeModelOf(shape);
  const weights = initWeights(model, shape, weightSeedOf(seed, model, shape));
  let kernel: Kernel;
  try {
    kernel = await backend.prepare(weights, batch, { inputBatches: 1 });
  } catch (err) {
    return { ok: false, reason: `prepare failed: ${(err as Error)?.message ?? String(err)}` };
  }
  try {
    const input = oneRowBatch(kernel.inputs?.[0] ?? new Float32Array(batch * shape.inputDim), shape.inputDim, deriveSeed(seed, 'one path'));
    await kernel.run(input);
    const check = checkOutput(weights, input, await kernel.output(), batch);
    if (!check.ok) return { ok: false, reason: `output differs from the float64 reference: max error ${check.maxRelError.toExponential(2)}` };
    const t0 = performance.now();
    await kernel.run(input);
    const stats = await measureCall(() => kernel.run(input), measurement, (performance.now() - t0) * 1e6);
    return { ok: true, model, check, stats, threads: kernel.threads ?? backend.info().threads };
  } catch (err) {
    return { ok: false, reason: `failed: ${(err as Error)?.message ?? String(err)}` };
  } finally {
    await kernel.dispose();
  }
}
