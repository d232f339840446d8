/**
 * The one interface every backend implements. Adding a backend is one module exporting
 * a `Backend` and one line in registry.ts.
 *
 * Lifecycle per case: `prepare` uploads or re-lays the weights for one model and batch size
 * (not timed), then `run` is called many times under measurement, and `output` reads the
 * last result for the correctness check.
 */
import type { AdapterClass } from '../model/adapter.ts';
import type { RuntimeName } from '../model/runtimes.ts';
import type { LayerModel, LayerShape } from '../model/shape.ts';
import type { Weights } from '../model/weights.ts';

export interface BackendContext {
  runtime: RuntimeName;
  /** Logical CPU cores of the machine (for multi-threaded variants). */
  cores: number;
  /** The runtime's WebGPU entry point (navigator.gpu or Dawn's), where it has one; rejects with why not. */
  gpu?: () => Promise<GPU>;
}

export type Availability = { ok: true } | { ok: false; reason: string };

/** What ran, as recorded in every result: the report names the kernels per backend. */
export interface BackendInfo {
  name: string;
  version: string;
  threads: number;
  /** The dense kernel, e.g. "packed 4x4 register-blocked GEMM, hidden chunked by 128". */
  denseKernel: string;
  /** How the FFF's hard inference runs, e.g. "tree walk per sample, samples grouped by leaf". */
  fffStrategy: string;
  /** How UltraFastBERT's tree runs, for a backend whose `models` include 'ufb'. */
  ufbStrategy?: string;
  /**
   * Which build of its kernels ran, for a backend that has several: the wasm backends' "relaxed"
   * (relaxed SIMD, where the engine validates it) or "plain" (SIMD128).
   */
  kernelBuild?: string;
  /** Anything a reader must know: a software adapter, an emulated instruction set. */
  notes?: string;
  /** GPU backends: the adapter that ran, e.g. "nvidia hopper NVIDIA H200" or "… llvmpipe … [software adapter]". */
  adapter?: string;
  /** GPU backends: whether that adapter is a GPU, a CPU implementation, or names nothing (src/model/adapter.ts). */
  adapterClass?: AdapterClass;
}

export interface Kernel {
  /** One forward pass over a batch: input is batchSize × inputDim, row-major. */
  run(input: Float32Array): void | Promise<void>;
  /** The last run's output, batchSize × outputDim, row-major. */
  output(): Float32Array | Promise<Float32Array>;
  dispose(): void | Promise<void>;
  /**
   * Where this case runs differently from what the backend's info() says (a multi-threaded backend
   * running a tiny case on the calling thread alone): the threads it runs on, and why. The result
   * records these, not the backend's defaults.
   */
  readonly threads?: number;
  readonly notes?: string;
  /**
   * The input batches prepare placed in the kernel's own memory (PrepareOptions.inputBatches; fewer
   * where they would not fit), each batchSize × inputDim: the caller fills one and passes it to
   * run(), which reads it where it is. Any other array is copied in as before.
   */
  readonly inputs?: readonly Float32Array[];
  /**
   * Whether run() reads any array where it is, no copy (the native backend: its Kernel.inputs are
   * only better placed, on 64-byte boundaries). A caller whose input is already elsewhere (the
   * encoder's h, in another tree's input) passes it instead of copying it into one of `inputs`.
   */
  readonly readsInPlace?: boolean;
  /**
   * Where run() leaves its output in the kernel's own memory (batchSize × outputDim, row-major),
   * for a caller that reads it in place (the encoder layer's final add and LayerNorm) instead of
   * through output()'s copy; valid until the next run(). Absent where the rows are padded or the
   * output is assembled elsewhere.
   */
  readonly outputView?: Float32Array;
}

export interface PrepareOptions {
  /**
   * How many input batches the caller will pass to run() (the correctness check's and the timing
   * rotation's). A backend whose kernels read their input from a memory of their own (a
   * WebAssembly memory) may place that many there and offer them as Kernel.inputs, so run() reads
   * the batch where a model's previous layer would have left it, not after copying a JavaScript
   * array in: at batch 16384 the copy alone moves 150 MB (read, write and the write's line fill),
   * more than UltraFastBERT's tree reads in all. ONNX Runtime's Node binding reads a JavaScript
   * input in place already. The native backend offers arrays that start on a 64-byte boundary
   * (Node's and Deno's large arrays start 16 bytes past one, where every vector load of a row
   * would straddle two cache lines).
   */
  inputBatches?: number;
}

/**
 * Thrown by `prepare` when a case is beyond what the backend can hold (a storage binding, a 32-bit
 * heap): the case is `skipped` with this message, not `failed` — nothing went wrong.
 */
export class CaseTooLarge extends Error {
  override name = 'CaseTooLarge';
}

export interface Backend {
  readonly name: string;
  /**
   * The models the backend has kernels for; absent means ['fff', 'dense']. A case of another model
   * is `skipped` with the reason ("tfjs-wasm has no ufb kernel"), never failed, and `prepare` never
   * sees its weights.
   */
  readonly models?: readonly LayerModel[];
  /**
   * The most memory the backend can address for one case of each model (e.g. 4 GiB for one
   * WebAssembly memory); a model left out has no limit of the backend's own.
   */
  readonly maxMemoryBytes?: Partial<Record<LayerModel, number>>;
  /**
   * How many copies of the weights the backend holds besides the generated float32 ones (packed,
   * serialised, uploaded) while a case of `model` with `weightBytes` of parameters runs; 1 when
   * absent. 0 for a backend that reads the generated arrays in place (a fraction where it copies
   * part of them, which `shape` tells). The memory budget counts it.
   */
  weightCopies?(model: LayerModel, weightBytes: number, shape?: LayerShape): number;
  /** Loads libraries and probes the runtime; never throws for a missing capability. */
  init(ctx: BackendContext): Promise<Availability>;
  info(): BackendInfo;
  prepare(weights: Weights, batchSize: number, options?: PrepareOptions): Promise<Kernel>;
  /**
   * A backend that runs whole ONNX graphs offers them here once init() succeeded, for layers made
   * of several parts (the encoder layer's attention half, its dense feedforward, its add and
   * LayerNorm: src/execute/encoder-pipeline.ts). Absent on the other backends.
   */
  graphs?(): GraphEngine;
}

/** Runs ONNX models the caller serialised (backends/onnx/onnx-model.ts), float32 inputs and outputs. */
export interface GraphEngine {
  /** What runs the graphs, for the result's notes, e.g. "onnxruntime-node 1.30.0, CPU execution provider, 2 intra-op threads". */
  readonly description: string;
  /**
   * Whether a run reads inputs from, and writes outputs into, arrays on a SharedArrayBuffer (a
   * shared WebAssembly memory, as wasm-mt's) where they lie; false where the library refuses them
   * (onnxruntime-node on Node and Deno: "Invalid argument"), so such data must pass through an
   * ordinary array. Arrays on an ordinary ArrayBuffer (a WebAssembly memory that is not shared
   * included) are read and written in place either way.
   */
  readonly sharedMemoryInPlace: boolean;
  /** Opens a session on a serialised model; `dims` gives the shape of every graph input and output by name. */
  open(model: Uint8Array, dims: Record<string, readonly number[]>): Promise<GraphSession>;
}

export interface GraphSession {
  /** One run: reads each input's array and writes each output into the array given for it (bound as a pre-allocated output). */
  run(inputs: Record<string, Float32Array>, outputs: Record<string, Float32Array>): Promise<void>;
  dispose(): Promise<void>;
}

/** The models a backend without a `models` field has kernels for. */
export const DEFAULT_BACKEND_MODELS: readonly LayerModel[] = ['fff', 'dense'];

/** The models `backend` has kernels for. */
export function backendModels(backend: Pick<Backend, 'models'>): readonly LayerModel[] {
  return backend.models ?? DEFAULT_BACKEND_MODELS;
}
