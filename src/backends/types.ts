/**
 * The one interface every backend implements. Adding a backend is one module exporting
 * a `Backend` and one line in registry.ts.
 *
 * Lifecycle per case: `prepare` uploads or re-lays the weights for one model and batch size
 * (not timed), then `run` is called many times under measurement, and `output` reads the
 * last result for the correctness check.
 */
import type { RuntimeName } from '../model/runtimes.ts';
import type { LayerShape, ModelKind } from '../model/shape.ts';
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
  /** Anything a reader must know: a software adapter, an emulated instruction set. */
  notes?: string;
  /** GPU backends: the adapter that ran, e.g. "mesa software (llvmpipe …), software adapter". */
  adapter?: string;
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
}

export interface PrepareOptions {
  /**
   * How many input batches the caller will pass to run() (the correctness check's and the timing
   * rotation's). A backend whose kernels read their input from a memory of their own (a
   * WebAssembly memory) may place that many there and offer them as Kernel.inputs, so run() reads
   * the batch where a model's previous layer would have left it, not after copying a JavaScript
   * array in: at batch 16384 the copy alone moves 150 MB (read, write and the write's line fill),
   * more than UltraFastBERT's tree reads in all. ONNX Runtime's Node binding reads a JavaScript
   * input in place already.
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
  readonly models?: readonly ModelKind[];
  /**
   * The most memory the backend can address for one case of each model (e.g. 4 GiB for one
   * WebAssembly memory); a model left out has no limit of the backend's own.
   */
  readonly maxMemoryBytes?: Partial<Record<ModelKind, number>>;
  /**
   * How many copies of the weights the backend holds besides the generated float32 ones (packed,
   * serialised, uploaded) while a case of `model` with `weightBytes` of parameters runs; 1 when
   * absent. 0 for a backend that reads the generated arrays in place (a fraction where it copies
   * part of them, which `shape` tells). The memory budget counts it.
   */
  weightCopies?(model: ModelKind, weightBytes: number, shape?: LayerShape): number;
  /** Loads libraries and probes the runtime; never throws for a missing capability. */
  init(ctx: BackendContext): Promise<Availability>;
  info(): BackendInfo;
  prepare(weights: Weights, batchSize: number, options?: PrepareOptions): Promise<Kernel>;
}

/** The models a backend without a `models` field has kernels for. */
export const DEFAULT_BACKEND_MODELS: readonly ModelKind[] = ['fff', 'dense'];

/** The models `backend` has kernels for. */
export function backendModels(backend: Pick<Backend, 'models'>): readonly ModelKind[] {
  return backend.models ?? DEFAULT_BACKEND_MODELS;
}
