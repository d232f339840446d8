/**
 * Calibration: what this machine allows, measured once per run and runtime, so that every result
 * can be placed against its roofline floor (roofline.ts).
 *
 * - copy bandwidth: Float32Array.set over 256 MiB (a memcpy; counts read + write bytes);
 * - read bandwidth: a streaming read with WebAssembly SIMD (a JavaScript loop is bound by its
 *   instructions, not by memory) on every core at once, as the multi-threaded kernels read (wasm-mt's
 *   threads); one core alone reads about half as much here, and is recorded beside it. Where
 *   threads cannot run, one core's figure; where wasm cannot, half the copy bandwidth;
 * - peak throughput: the best dense GEMM among the backends given, on a compute-bound shape
 *   (i = o = 768, width 4096, batch 256: 2.4 GFLOP per call against 25 MB of weights).
 * Each figure is the best of several repetitions: the question is what the hardware allows.
 */
import { loadBackend } from '../backends/registry.ts';
import type { BackendContext } from '../backends/types.ts';
import { initDense } from '../model/weights.ts';
import { Rng } from '../model/rng.ts';
import type { Calibration } from '../measure/roofline.ts';

const BUFFER_FLOATS = 64 * 2 ** 20;
const REPEATS = 5;
export const CALIBRATION_SHAPE = { inputDim: 768, outputDim: 768, depth: 7, leafWidth: 32, activation: 'relu' as const };
const CALIBRATION_BATCH = 256;

function bestOf(repeats: number, run: () => void): number {
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    run();
    best = Math.min(best, performance.now() - t0);
  }
  return best / 1000; // seconds
}

async function gemmFlops(name: string, ctx: BackendContext): Promise<number | undefined> {
  try {
    const backend = await loadBackend(name);
    const availability = await backend.init(ctx);
    if (!availability.ok) return undefined;
    const weights = initDense(CALIBRATION_SHAPE, 1);
    const kernel = await backend.prepare(weights, CALIBRATION_BATCH);
    const input = new Rng(2).fillUniform(new Float32Array(CALIBRATION_BATCH * CALIBRATION_SHAPE.inputDim), 1);
    await kernel.run(input); // warm-up
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      await kernel.run(input);
      best = Math.min(best, performance.now() - t0);
    }
    await kernel.dispose();
    const flops = 2 * CALIBRATION_BATCH * weights.width * (CALIBRATION_SHAPE.inputDim + CALIBRATION_SHAPE.outputDim);
    return flops / (best / 1000);
  } catch {
    return undefined;
  }
}

export async function calibrate(ctx: BackendContext, gemmBackends: string[]): Promise<Calibration> {
  const a = new Float32Array(BUFFER_FLOATS).fill(1);
  const b = new Float32Array(BUFFER_FLOATS);
  const copySeconds = bestOf(REPEATS, () => b.set(a));
  const copyBandwidth = (2 * BUFFER_FLOATS * 4) / copySeconds;
  let oneThread: number | undefined;
  try {
    const { measureReadBandwidth } = await import('../backends/wasm/bandwidth.ts');
    oneThread = await measureReadBandwidth(BUFFER_FLOATS * 4, REPEATS);
  } catch {
    // no wasm: the copy's figure below
  }
  let allCores: number | undefined;
  const threads = Math.max(1, ctx.cores);
  if (oneThread !== undefined && threads > 1) {
    try {
      const { measureAllCoreReadBandwidth } = await import('../backends/wasm-mt/bandwidth.ts');
      allCores = await measureAllCoreReadBandwidth(BUFFER_FLOATS * 4, REPEATS, threads);
    } catch {
      // no shared memory or threads: one core's figure
    }
  }
  const readBandwidth = Math.max(allCores ?? 0, oneThread ?? copyBandwidth / 2);
  const readThreads = allCores !== undefined && allCores >= (oneThread ?? 0) ? threads : 1;
  const gemm: Record<string, number> = {};
  for (const name of gemmBackends) {
    const flops = await gemmFlops(name, ctx);
    if (flops !== undefined) gemm[name] = flops;
  }
  const [peakBackend, peakFlops] = Object.entries(gemm).sort((x, y) => y[1] - x[1])[0] ?? ['none', NaN];
  return {
    readBandwidth,
    readThreads,
    ...(oneThread !== undefined ? { oneThreadReadBandwidth: oneThread } : {}),
    copyBandwidth,
    peakFlops,
    peakBackend,
    gemmFlops: gemm,
  };
}
