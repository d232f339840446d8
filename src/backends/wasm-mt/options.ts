/**
 * The wasm-mt backend's settings, and where a case is too small for threads to pay off; the thread
 * count FFFBENCH_THREADS asks for (the native backend's too).
 */
import { minimumBytes } from '../../measure/roofline.ts';
import { macsPerSample } from '../../model/cost.ts';
import { trainingWidth, type LayerShape, type LayerModel } from '../../model/shape.ts';
import type { PlantedFault } from './pool.ts';

export interface MtOptions {
  /** A join that waits longer than this throws: a worker thread that hangs fails its case. */
  timeoutMs: number;
  /** How long a waiting thread spins before it parks in Atomics.wait. */
  spinMicros: number;
  /** Cases whose estimated one-thread time is under this many µs (per model) run on the calling thread alone. */
  threadedFromMicros: Readonly<Record<LayerModel, number>>;
  /** FFF: the most bytes one memory may hold (leaves beyond it go to further memories). */
  maxMemoryBytes?: number;
  /** Dense: force a split (measurements and tests); chosen by denseSplit() otherwise. */
  denseSplit?: 'rows' | 'hidden';
  /** Test hook: a worker thread that fails (test/fixtures/faulty-threads-backend.ts). */
  fault?: PlantedFault;
}

/**
 * Where threads start to pay, per model: a case whose estimated one-thread time
 * (singleThreadMicros) is under this many microseconds runs on the calling thread alone. A
 * threaded run pays a fixed cost per phase (one for dense; for the FFF two — the walk, then the
 * leaves — and three at batches of 16 and more with leaves of 8 and more: the walk's second phase
 * between) — a dispatch, the workers' wake-up and a join, on top of the calling thread's serial
 * part (the input copy; the FFF's sorting) — hence the FFF's higher switch point. Decided by
 * MEASUREMENTS below (made when the FFF had two phases at every batch; the cases near the switch,
 * batches 1 to 4 at d = 12 and 128 to 256 at ℓ = 8, d = 4, still have two).
 */
// ufb: two phases too (the walk's first, then the rest with the outputs); its switch point is the
// FFF's, which its MEASUREMENTS below bear out.
export const THREADED_FROM_MICROS: Readonly<Record<LayerModel, number>> = { fff: 45, ufb: 45, dense: 15 };

/**
 * The one-thread rates the estimate uses, measured on the wasm kernels (node 20, this machine):
 * the packed GEMM at i = o = 768, width 4096, batch 256 runs at 36 GFLOP/s (18 G multiply-adds
 * per second); the FFF at d = 12, batch 1 (its 234 KB of node rows and leaf from memory) in about
 * 20 µs, ~11 GB/s.
 */
const MACS_PER_MICRO = 18_000;
const BYTES_PER_MICRO = 11_000;

/**
 * MEASUREMENTS — wasm (one thread) against wasm-mt with 2 threads forced, in the same process,
 * alternating 100 ms rounds (.tmp scripts, node 20.20, 2-vCPU KVM guest, Xeon 4th gen, spin 100
 * µs), at moments when two busy threads got ~1.9-2.0 cores (this VM's second core comes and goes;
 * with ~1 core free, no threaded case gains, and each hand-off costs ~100 µs):
 *
 *   model, shape (i, o, ℓ, d)   batch   est. 1-thread   wasm      wasm-mt    speedup
 *   FFF 768, 768, 32, 12          1      26 µs           15.9 µs   29.1 µs    0.57x   → calling thread
 *   FFF 768, 768, 32, 12          2      52 µs           57.8 µs   38.1 µs    1.62x   → threads
 *   FFF 768, 768, 32, 12          4     103 µs          102.5 µs   56.5 µs    1.83x
 *   FFF 768, 768, 32, 12        256    6057 µs           6.9 ms    3.8 ms     1.84x
 *   FFF 128, 128, 8, 4          128      44 µs           34.3 µs   37.7 µs    0.91x   → calling thread
 *   FFF 128, 128, 8, 4          256      74 µs           64.5 µs   59.6 µs    1.10x   → threads
 *   dense 64, 64, 8, 3 (W 64)    16      11 µs            7.5 µs   (26.8 µs best round)  → calling thread
 *   dense 64, 64, 8, 3 (W 64)    32      19 µs           14.9 µs   10.1 µs    1.51x   → threads
 *   dense 64, 64, 8, 3 (W 64)    64      35 µs           29.6 µs   20.0 µs    1.53x
 *   dense 768, 768, 32, 7 (W 4096) 256  122 ms           78.8 ms   42.3 ms    1.87x (rows split; hidden split 1.87x)
 *
 * UltraFastBERT's tree (i = o, depth D; later, same machine, 40 alternating rounds in one process):
 *   ufb 768, D 11                  4      29 µs           11.1 µs   13.5 µs    0.82x   → calling thread
 *   ufb 768, D 11                  6      41 µs           20.6 µs   19.1 µs    1.08x   → calling thread
 *   ufb 768, D 11                  8      53 µs           28.1 µs   24.4 µs    1.15x   → threads
 *   ufb 64, D 3                  256      20 µs           29.8 µs   50.0 µs    0.59x   → calling thread
 *   ufb 64, D 3                 1024      77 µs          145.1 µs  106.4 µs    1.36x   → threads
 *
 * The waiting threads' spin (DEFAULT_OPTIONS.spinMicros): a parked thread on this VM takes
 * ~50-100 µs to wake (an idle vCPU halts), so a spin shorter than the usual gap costs that each
 * hand-off: FFF d = 12, batch 2 ran 166 µs (spin 20 µs), 56 µs (50), 38 µs (100); with ~1 core
 * free every µs of spin is lost instead (FFF 128, 128, 8, 4 at batch 128: 59 µs with no spin,
 * 77 µs with 5, 257 µs with 50, 914 µs with 200). 100 µs favours the machine whose cores are free.
 */
export const DEFAULT_OPTIONS: MtOptions = {
  timeoutMs: 60_000,
  spinMicros: 100,
  threadedFromMicros: THREADED_FROM_MICROS,
};

/**
 * Estimated time of one call on one thread, in µs: the bytes it must move (the roofline's minimum
 * bytes: weights the batch touches, input and output) at the one-thread read rate plus its
 * multiply-adds at the one-thread GEMM rate.
 */
export function singleThreadMicros(model: LayerModel, shape: LayerShape, batch: number): number {
  const s = { ...shape, trainingWidth: trainingWidth(shape), batchSize: batch };
  return minimumBytes(model, s) / BYTES_PER_MICRO + (macsPerSample(model, shape) * batch) / MACS_PER_MICRO;
}

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};

/** The thread count FFFBENCH_THREADS asks for, undefined when unset, or an Error saying why not. */
export function threadsFromEnv(value = env.FFFBENCH_THREADS): number | undefined | Error {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1024)
    return new Error(`FFFBENCH_THREADS=${JSON.stringify(value)}: expected a whole number of threads from 1 to 1024`);
  return n;
}

/** Whether a case runs on all threads (true) or on the calling thread alone. */
export function threaded(model: LayerModel, shape: LayerShape, batch: number, threads: number, options: MtOptions): boolean {
  return threads > 1 && singleThreadMicros(model, shape, batch) >= options.threadedFromMicros[model];
}
