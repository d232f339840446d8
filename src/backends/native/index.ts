/**
 * Native backend: the FFF and UltraFastBERT's tree as C kernels (C11, vectors through GCC/Clang
 * vector extensions and the ISA's intrinsics: AVX-512, AVX2 + FMA, NEON, else portable vectors),
 * compiled by the machine's `cc` with -O3 -march=native when npm ci installs the project
 * (build.mjs), and loaded as one Node-API addon by node, deno and bun (addon.ts). No dense kernel:
 * the verdicts read each runtime's fastest dense layer, ONNX Runtime's MLAS on ort-node.
 *
 * FFF (fff.c) and tree (ufb.c): the wasm kernels' two-phase walk — the top levels in batch order,
 * then the batch sorted by the node reached and walked the rest of the way, so a subtree's rows are
 * read once for its samples; small leaves inside the walk, wide ones grouped by leaf (each read once
 * per batch); UltraFastBERT's outputs written once a sample, streamed when large. The weights and the
 * input are read in place from the JavaScript arrays (nothing is copied in a timed call, and only
 * small leaves' W1 is re-laid out, transposed, at prepare); the output is written into a
 * Float32Array made at prepare, which output() returns as it is.
 *
 * Threads: FFFBENCH_THREADS, else every core; one persistent pool of POSIX threads per prepared
 * kernel, the calling thread one of them, work claimed in chunks through an atomic counter; the
 * others spin SPIN_MICROS after each task, then park. A case too small for threads runs on the
 * calling thread alone (NATIVE_THREADED_FROM_MICROS).
 */
import process from 'node:process';
import { ACTIVATIONS } from '../../model/activation.ts';
import { isUfbShape, type LayerModel, type LayerShape, type ModelKind } from '../../model/shape.ts';
import type { FffWeights, UfbWeights, Weights } from '../../model/weights.ts';
import type { Backend, BackendInfo, Kernel, PrepareOptions } from '../types.ts';
import { singleThreadMicros, threadsFromEnv } from '../wasm-mt/options.ts';
import { loadAddon, type KernelFacts, type NativeAddon, type NativeHandle } from './addon.ts';
import { buildDir } from './sources.mjs';

/** How long an idle worker thread spins before it parks (as wasm-mt's: options.ts, DEFAULT_OPTIONS). */
export const SPIN_MICROS = 100;

/**
 * Cases whose estimated one-thread time (wasm-mt's estimate: singleThreadMicros) is under this many
 * µs run on the calling thread alone. A hand-off to a spinning thread costs about a microsecond; the
 * FFF at i = o = 768, ℓ = 32, d = 12, batch 1 (26 µs estimated) runs threaded: its one leaf is split
 * across the threads by columns (fff.c: split_layer), so that each streams part of it. UltraFastBERT's
 * tree at d = 11 and batch 1 to 4 (8 to 29 µs) is a walk of one to four samples: one thread's work.
 */
export const NATIVE_THREADED_FROM_MICROS: Readonly<Record<Exclude<LayerModel, 'dense'>, number>> = { fff: 10, ufb: 40 };

/** Leaves narrower than this run inside the walk (kernels.h: SMALL_LEAF_BELOW). */
export const SMALL_LEAF_BELOW = 8;

export interface NativeConfig {
  /** The backend's name (tests load other builds under other names). */
  name?: string;
  /** The folder holding fffbench.node and build.json: FFFBENCH_NATIVE_DIR, else build/native. */
  dir?: string;
  /** Threads in all; FFFBENCH_THREADS or the machine's cores when absent. */
  threads?: number;
  /** Where threads start (tests force 0: every case threaded). */
  threadedFromMicros?: Partial<Record<'fff' | 'ufb', number>>;
  /** Levels of the walk's first phase (tests force the two phases on small trees); chosen by the kernel when absent. */
  topLevels?: number;
}

export type NativeKernel = Kernel & { readonly threads: number; readonly facts: KernelFacts };

export type NativeBackend = Omit<Backend, 'prepare'> & {
  readonly threads: number;
  /** Whether a case of `model` at `batch` runs on every thread (true) or on the calling thread alone. */
  runsThreaded(model: ModelKind, shape: LayerShape, batch: number): boolean;
  prepare(weights: Weights, batch: number, options?: PrepareOptions): Promise<NativeKernel>;
};

export function createNativeBackend(config: NativeConfig = {}): NativeBackend {
  const name = config.name ?? 'native';
  const threadedFrom = { ...NATIVE_THREADED_FROM_MICROS, ...config.threadedFromMicros };
  let threads = 0;
  let addon: NativeAddon | undefined;
  let built = '';
  let isa = '';

  const runsThreaded = (model: LayerModel, shape: LayerShape, batch: number) =>
    model !== 'dense' && threads > 1 && singleThreadMicros(model, shape, batch) >= threadedFrom[model];

  const backend: NativeBackend = {
    name,
    models: ['fff', 'ufb'],
    get threads() {
      return threads;
    },
    // The generated arrays are read in place, but for what copiedBytes counts.
    weightCopies(model, bytes, shape) {
      if (model === 'dense') return 0;
      return shape ? copiedBytes(shape) / Math.max(1, bytes) : 1;
    },
    async init(ctx) {
      const fromEnv = threadsFromEnv();
      if (fromEnv instanceof Error) return { ok: false, reason: fromEnv.message };
      threads = config.threads ?? fromEnv ?? Math.max(1, ctx.cores);
      const loaded = loadAddon(config.dir ?? buildDir(process.env));
      if (!loaded.ok) return { ok: false, reason: loaded.reason };
      addon = loaded.addon;
      const b = loaded.build;
      isa = b.isa;
      built = `built for ${b.isa} (${b.vectorBits}-bit vectors) by ${b.compilerVersion} (${b.compiler} ${b.flags.join(' ')}; Node-API ${addon.buildInfo().napiVersion})`;
      return { ok: true };
    },
    info(): BackendInfo {
      return {
        name,
        version: `1 (${isa || 'not built'})`,
        threads,
        denseKernel: "none: the native backend runs the trees only (the verdicts read the fastest dense layer of the runtime, ort-node's MLAS)",
        fffStrategy: `C kernels, ${isa || 'not built'}: the two-phase walk of the wasm kernels (the top levels in batch order, as many as keep 512 KiB of node rows, all for batches under 16; then the batch sorted by the node reached and walked the rest of the way, so a subtree's rows are read once for its samples), four samples at a time with fused multiply-adds; leaves narrower than ${SMALL_LEAF_BELOW} where the walk ends (one dot product per hidden unit, W1 transposed at prepare, nothing padded); wider ones grouped by leaf (counting sort), each visited leaf read once per batch, both layers over up to 4 rows at once in register tiles (a batch with fewer leaves than threads, e.g. batch 1: each leaf's columns split across the threads); work claimed in chunks by ${threads} thread(s); weights and input read in place from the JavaScript arrays`,
        ufbStrategy: `C kernels, ${isa || 'not built'}: the FFF's two phases (the top levels in batch order, each level's score kept; the batch sorted by the node reached, the rest walked four samples at a time), each sample's output written once: act of its D + 1 scores in one vector operation, times its path's rows summed in registers, four samples at a time grouped by the node reached (a row loaded once where they share it), with non-temporal stores when the output is 4 MiB or more; work claimed in chunks by ${threads} thread(s); weights and input read in place`,
        notes: `${built || 'not built'}; threads: FFFBENCH_THREADS, else every core (${threads} here), POSIX threads started at prepare and joined at dispose, the calling thread one of them, idle ones spinning ${SPIN_MICROS} µs before they park; a case whose estimated one-thread time (wasm-mt's estimate) is under ${threadedFrom.fff} µs (FFF) or ${threadedFrom.ufb} µs (UltraFastBERT) runs on the calling thread alone; f32 with fused multiply-adds where the ISA has them; GELU by the exact-erf form (A&S 7.1.26 erf, as the wasm kernels); identical outputs at every thread count`,
      };
    },
    runsThreaded,
    async prepare(weights: Weights, batch: number, options: PrepareOptions = {}) {
      if (!addon) throw new Error(`${name} backend: prepare() before a successful init()`);
      if (weights.kind === 'dense') throw new Error(`${name} backend: no dense kernel`);
      const t = runsThreaded(weights.kind, weights.shape, batch) ? threads : 1;
      const { inputDim, outputDim, depth, activation } = weights.shape;
      const output = alignedFloats(addon, batch * outputDim);
      const common = {
        inputDim,
        outputDim,
        depth,
        batch,
        activation: ACTIVATIONS.indexOf(activation),
        threads: t,
        spinMicros: SPIN_MICROS,
        top: config.topLevels ?? -1,
        output,
      };
      const handle: NativeHandle =
        weights.kind === 'fff' ? addon.prepareFff({ ...common, ...fffArrays(weights) }) : addon.prepareUfb({ ...common, ...ufbArrays(weights) });
      const facts = addon.facts(handle);
      const a = addon;
      const estimate = singleThreadMicros(weights.kind, weights.shape, batch);
      const notes =
        t === 1 && threads > 1
          ? `this case ran on the calling thread alone: its estimated one-thread time, ${estimate.toFixed(1)} µs, is under the ${threadedFrom[weights.kind]} µs from which threads pay off`
          : undefined;
      return {
        threads: facts.threads,
        facts,
        // the input batches on line boundaries too: the walk's vector loads of a row each in one line
        inputs: Array.from({ length: options.inputBatches ?? 0 }, () => alignedFloats(a, batch * inputDim)),
        readsInPlace: true,
        ...(notes ? { notes } : {}),
        run: (input: Float32Array) => a.run(handle, input),
        output: () => output,
        // output() returns this array itself: a caller may read the rows where run() left them
        outputView: output,
        dispose: () => a.dispose(handle),
      };
    },
  };
  return backend;
}

/**
 * A Float32Array of `count` floats that starts on a 64-byte boundary, in a buffer of 64 spare
 * bytes: the output (non-temporal stores write whole lines) and the input batches (a vector load
 * that straddles two lines costs two).
 */
function alignedFloats(addon: NativeAddon, count: number): Float32Array {
  const buffer = new ArrayBuffer(count * 4 + 64);
  return new Float32Array(buffer, addon.alignOffset(buffer), count);
}

function fffArrays(w: FffWeights) {
  return {
    leafWidth: w.shape.leafWidth,
    nodeWeights: w.nodeWeights,
    nodeBias: w.nodeBias,
    leafW1: w.leafW1,
    leafB1: w.leafB1,
    leafW2: w.leafW2,
    leafB2: w.leafB2,
  };
}

function ufbArrays(w: UfbWeights) {
  return { nodeIn: w.nodeIn, nodeOut: w.nodeOut };
}

/**
 * The most bytes of a tree's weights its kernel copies at prepare (kernels.h): the FFF's small
 * leaves' W1 (2 ≤ ℓ < SMALL_LEAF_BELOW), transposed; and the rows the walk streams (the FFF's node
 * rows and, for ℓ = 1, W1's; UltraFastBERT's input and output rows) wherever a row is a whole
 * number of 64-byte lines, since they are copied onto line boundaries when their array starts off
 * one (as Node's and Deno's large arrays do).
 */
export function copiedBytes(shape: LayerShape): number {
  const { inputDim: i, outputDim: o, depth, leafWidth: l } = shape;
  const wholeLines = (floats: number) => (floats * 4) % 64 === 0;
  const rows = (count: number, floats: number) => (wholeLines(floats) ? count * floats * 4 : 0);
  if (isUfbShape(shape)) return rows(2 ** (depth + 1) - 1, i) + rows(2 ** (depth + 1) - 1, o);
  const transposed = l > 1 && l < SMALL_LEAF_BELOW ? 2 ** depth * i * l * 4 : 0;
  return transposed + rows(2 ** depth - 1, i) + (l === 1 ? rows(2 ** depth, i) : 0);
}

export const nativeBackend = createNativeBackend();
