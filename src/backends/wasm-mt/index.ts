/**
 * Multi-threaded WebAssembly backend: the wasm backend's SIMD128 kernels (../wasm/kernels/*.wat, assembled
 * with a shared memory import into kernels-shared.wasm, or kernels-shared-relaxed.wasm where the
 * engine validates relaxed SIMD: ../wasm/simd-variant.ts) on shared WebAssembly memories, driven by
 * one thread per core — the calling thread and threads − 1 node:worker_threads workers (pool.ts),
 * synchronised through Atomics.wait/notify on a shared control block, no message per call.
 *
 * Dense (dense.ts): rows split across threads (hidden chunks split, for small batches). FFF
 * (fff.ts): the wasm backend's two-phase walk with the input copy overlapping the first phase and
 * the second split by sorted positions, small leaves inside it; wider leaves grouped by leaf on the
 * calling thread and shared out by cost so each visited leaf is read once per batch; leaves beyond
 * 4 GiB split across several shared memories. UltraFastBERT's tree (ufb.ts): the same two phases. Cases too small for threads to pay off run on the calling
 * thread alone (options.ts: THREADED_FROM_MICROS, decided by measurement).
 *
 * Threads: FFFBENCH_THREADS when set (a whole number ≥ 1), else every core (BackendContext.cores).
 */
import type { LayerModel } from '../../model/shape.ts';
import type { Weights } from '../../model/weights.ts';
import type { Backend, BackendInfo, Kernel, PrepareOptions } from '../types.ts';
import { chooseVariant, VARIANT_TEXT, type SimdVariant } from '../wasm/simd-variant.ts';
import { HIDDEN_CHUNK } from '../wasm/dense.ts';
import { SMALL_LEAF_BELOW } from '../wasm/fff-layout.ts';
import { MAX_MEMORY_BYTES } from '../wasm/layout.ts';
import { prepareDenseMt, ROWS_SPLIT_MIN_ROWS } from './dense.ts';
import { prepareUfbMt } from './ufb.ts';
import { LEAF_COST_ROWS, prepareFffMt, SPLIT_MIN_ROWS } from './fff.ts';
import { DEFAULT_OPTIONS, singleThreadMicros, threaded, threadsFromEnv, type MtOptions } from './options.ts';
import { warmUp } from './work.mjs';

export { threadsFromEnv };

export interface WasmMtConfig extends Partial<MtOptions> {
  /** The backend's name (tests plant faulty variants under other names). */
  name?: string;
  /** Threads in all; FFFBENCH_THREADS or the machine's cores when absent. */
  threads?: number;
}

export type WasmMtBackend = Omit<Backend, 'prepare'> & {
  /** The thread count init settled on. */
  readonly threads: number;
  /** Whether a case of `model` at `batch` runs on every thread (true) or on the calling thread alone. */
  runsThreaded(model: LayerModel, shape: Weights['shape'], batch: number): boolean;
  prepare(weights: Weights, batch: number, options?: PrepareOptions): Promise<Kernel & { readonly threads: number }>;
};

let compiled: { module: WebAssembly.Module; variant: SimdVariant } | undefined;

/** The shared-memory kernels in the build the engine runs (simd-variant.ts), compiled and warmed up once. */
export async function compileShared(): Promise<{ module: WebAssembly.Module; variant: SimdVariant }> {
  if (compiled) return compiled;
  const choice = chooseVariant(true);
  if (!choice.ok) throw new Error(choice.reason);
  const module = await WebAssembly.compile(choice.bytes);
  warmUp(module);
  compiled = { module, variant: choice.variant };
  return compiled;
}

export function createWasmMtBackend(config: WasmMtConfig = {}): WasmMtBackend {
  const name = config.name ?? 'wasm-mt';
  const options: MtOptions = { ...DEFAULT_OPTIONS, ...Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) };
  let threads = 0;
  let module: WebAssembly.Module | undefined;
  let variant: SimdVariant = 'plain';
  let runtime = '';

  const backend: WasmMtBackend = {
    name,
    models: ['fff', 'ufb', 'dense'],
    // One shared memory holds a dense case or an UltraFastBERT tree; an FFF's leaves are split
    // across as many as they need. Each holds one copy of the weights (the default weightCopies).
    maxMemoryBytes: { dense: MAX_MEMORY_BYTES, ufb: MAX_MEMORY_BYTES },
    get threads() {
      return threads;
    },
    async init(ctx) {
      runtime = ctx.runtime;
      const fromEnv = threadsFromEnv();
      if (fromEnv instanceof Error) return { ok: false, reason: fromEnv.message };
      threads = config.threads ?? fromEnv ?? Math.max(1, ctx.cores);
      if (typeof SharedArrayBuffer === 'undefined') return { ok: false, reason: `${ctx.runtime} has no SharedArrayBuffer` };
      try {
        new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
      } catch (err) {
        return { ok: false, reason: `${ctx.runtime} cannot create a shared WebAssembly.Memory: ${(err as Error).message}` };
      }
      try {
        ({ module, variant } = await compileShared());
      } catch (err) {
        return { ok: false, reason: `kernels-shared.wasm did not load or compile (run npm run build:wasm): ${(err as Error).message}` };
      }
      return { ok: true };
    },
    info(): BackendInfo {
      const smallRule = `a case whose estimated one-thread time (its minimum bytes at 11 GB/s + its multiply-adds at 18 G/s) is under ${options.threadedFromMicros.fff} µs (FFF), ${options.threadedFromMicros.ufb} µs (UltraFastBERT) or ${options.threadedFromMicros.dense} µs (dense) runs on the calling thread alone, without threads (e.g. the FFF at i = o = 768, ℓ = 32, d = 12, batch 1); larger ones on all ${threads}`;
      return {
        name,
        version: '1',
        threads,
        kernelBuild: variant,
        denseKernel: `the wasm backend's SIMD128 GEMM (4x8 f32x4 register tile, weights packed in 8-column panels, hidden layer in chunks of ${HIDDEN_CHUNK}, bias + activation fused) on a shared memory, ${threads} thread(s): rows split in 4-row-aligned blocks (each thread every hidden chunk over its rows) from ${ROWS_SPLIT_MIN_ROWS} rows per thread, hidden chunks split (partial outputs summed by the calling thread) below`,
        fffStrategy: `the wasm backend's two-phase walk and leaf kernels, each phase shared out over ${threads} thread(s): the calling thread copies the input in chunk by chunk while the others walk each chunk's top levels as it lands (claimed in order through an atomic counter; the calling thread joins them after the copy); the calling thread sorts the batch by the node reached; each thread walks the rest for its share of the sorted positions, four samples at a time, running leaves narrower than ${SMALL_LEAF_BELOW} there (one dot product per hidden unit, nothing padded, no call per leaf). Wider leaves: samples grouped by leaf on the calling thread (counting sort), leaf groups shared out in order by cost (rows + ${LEAF_COST_ROWS} per leaf read), so each visited leaf is read once per batch by one thread (groups of ${SPLIT_MIN_ROWS}+ rows may be cut between two), each group through the packed GEMM. Leaves beyond one 4 GiB shared memory split across several (the tree in the first; rows routed to another memory's leaves copied there and back by the thread running them)`,
        ufbStrategy: `the wasm backend's two phases for UltraFastBERT's tree, each shared out over ${threads} thread(s): every thread walks the top levels of the chunks it claims (the input read in place, Kernel.inputs; another array copied in by the calling thread, the others walking each chunk as it lands), the calling thread sorts the batch by the node reached, then each thread walks the rest and writes the outputs (each sample's once, the sum over its D + 1 nodes in registers) for its share of the sorted positions, four samples at a time`,
        notes: `threads: FFFBENCH_THREADS, else every core (${threads} here); node:worker_threads on ${runtime || 'each runtime'} (Node, Deno and Bun all provide it), the calling thread one of them; sync by Atomics.wait/notify on a shared control block (workers spin ${options.spinMicros} µs before parking), no message per call; a worker that throws or dies fails the run, and so does one that hangs (a join waiting over ${options.timeoutMs / 1000} s, or 20 times the case's estimated one-thread time if longer); ${smallRule}; kernels: ${VARIANT_TEXT[variant]}; f32 accumulation`,
      };
    },
    runsThreaded(model, shape, batch) {
      return threaded(model, shape, batch, threads, options);
    },
    async prepare(weights: Weights, batch: number, prepareOptions?: PrepareOptions) {
      if (!module) throw new Error(`${name} backend: prepare() before a successful init()`);
      const t = threaded(weights.kind, weights.shape, batch, threads, options) ? threads : 1;
      // A hang is a join far longer than the case could take: never under timeoutMs, and at least
      // 20 times the estimated one-thread time of a call (a huge dense call takes seconds).
      const timeoutMs = Math.max(options.timeoutMs, Math.ceil((20 * singleThreadMicros(weights.kind, weights.shape, batch)) / 1000));
      const o = { ...options, timeoutMs };
      const kernel =
        weights.kind === 'dense'
          ? await prepareDenseMt(module, weights, batch, t, o)
          : weights.kind === 'fff'
            ? await prepareFffMt(module, weights, batch, t, o)
            : await prepareUfbMt(module, weights, batch, t, o, prepareOptions?.inputBatches);
      if (t === threads) return kernel;
      const estimate = singleThreadMicros(weights.kind, weights.shape, batch);
      const notes = `this case ran on the calling thread alone: its estimated one-thread time, ${estimate.toFixed(1)} µs, is under the ${options.threadedFromMicros[weights.kind]} µs from which threads pay off`;
      return Object.assign(kernel, { notes });
    },
  };
  return backend;
}

export const wasmMtBackend = createWasmMtBackend();
