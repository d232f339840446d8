/**
 * What the onnxruntime backends share: the Kernel around an InferenceSession, and the session
 * options. onnxruntime-web and onnxruntime-node expose the same API (onnxruntime-common), so the
 * few members used here are typed structurally and either module fits.
 */
import type { DenseWeights, Weights } from '../../model/weights.ts';
import type { GraphEngine, GraphSession, Kernel } from '../types.ts';
import { buildModel, DENSE_CHUNK_BYTES, denseChunks, INPUT_NAME, OUTPUT_NAME, parameterBytes, placementFor, type BuildOptions } from './graphs.ts';
import { ufbBatchChunks } from './graphs-ufb.ts';
import { encodeModel, GraphBuilder, type WeightPlacement } from './onnx-model.ts';

export interface OrtSession {
  /** `fetches`: outputs bound to pre-allocated tensors, which the run writes into. */
  run(feeds: Record<string, unknown>, fetches?: Record<string, unknown>): Promise<Record<string, { data: unknown }>>;
  release(): Promise<void>;
  readonly inputNames: readonly string[];
}

/** The Kernel of an onnxruntime backend, with what the session was given (for tests and notes). */
export interface OrtKernel extends Kernel {
  readonly placement: WeightPlacement;
  /** Sessions the layer runs as: 1, or one per hidden chunk of a dense layer past the protobuf limit. */
  readonly sessions: number;
  /** The session's graph inputs as onnxruntime reports them: 'x', then the parameters on the 'inputs' path. */
  readonly inputNames: readonly string[];
}

/** The part of `import * as ort from 'onnxruntime-web' | 'onnxruntime-node'` the backends use. */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: object): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
  env: { versions: Record<string, string | undefined>; logLevel?: string };
}

/**
 * Options every ort session here gets: full graph optimisation (constant folding, Gemm+activation
 * and Gelu fusions), sequential execution (the layer is a chain; parallelism is inside the
 * kernels), and the CPU memory arena and memory-pattern planner that onnxruntime-node enables by
 * default but onnxruntime-web leaves off unless asked.
 */
export const BASE_SESSION_OPTIONS = {
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
  enableCpuMemArena: true,
  enableMemPattern: true,
  logSeverityLevel: 3, // errors only: unused-initializer warnings would clutter the worker's output
} as const;

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};

/**
 * Whether onnxruntime's intra-op threads may spin while they wait for work, between the parallel
 * sections of a run and for a while after it (onnxruntime's default, session config
 * session.intra_op.allow_spinning = 1). FFFBENCH_ORT_SPINNING=0 turns it off: fffbench ab sets it in
 * both revisions' workers, since the threads of the worker that just ran would otherwise spin on the
 * cores of the one being timed (A/A runs flagged ort-node cases at ±20-70% paired spread).
 */
export function ortSpinning(value = env.FFFBENCH_ORT_SPINNING): boolean {
  if (value === undefined || value === '' || value === '1') return true;
  if (value === '0') return false;
  throw new Error(`FFFBENCH_ORT_SPINNING=${JSON.stringify(value)}: expected 0 (intra-op threads do not spin) or 1 (onnxruntime's default)`);
}

/** `options` with intra-op spinning allowed or not (onnxruntime-common's extra session config entries). */
export function withSpinning<T extends object>(options: T, spinning: boolean): T & { extra: { session: { intra_op: { allow_spinning: '0' | '1' } } } } {
  return { ...options, extra: { session: { intra_op: { allow_spinning: spinning ? '1' : '0' } } } };
}

/** The words for a backend's notes where its threads do not spin. */
export const NO_SPINNING_NOTE = 'intra-op threads do not spin while they wait (FFFBENCH_ORT_SPINNING=0, as fffbench ab runs onnxruntime)';

/**
 * Builds the model and opens the session. Its own function so that nothing keeps the serialised
 * model (as large as the weights on the 'initializers' path) reachable once the session holds its
 * own copy.
 */
async function openSession(ort: OrtModule, weights: Weights, batch: number, options: object, build: BuildOptions) {
  const model = buildModel(weights, batch, build);
  const session = await ort.InferenceSession.create(model.bytes, options);
  const weightFeeds: Record<string, unknown> = {};
  for (const t of model.weightInputs) weightFeeds[t.name] = new ort.Tensor('float32', t.data as Float32Array, t.dims);
  return { session, placement: model.placement, weightFeeds, modelBytes: model.bytes.byteLength };
}

/** Serialised models above this size are collected right after the session is created. */
const RELEASE_MODEL_BYTES = 64 * 2 ** 20;

function collectGarbage(): void {
  const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (g.gc) g.gc();
  else g.Bun?.gc(true);
}

/**
 * Builds the model for `weights` and batch, opens a session on it, and wraps it as a Kernel. On
 * the 'inputs' path every run feeds the parameters too: tensors made once, around the weights' own
 * arrays (onnxruntime-node reads them in place; onnxruntime-web copies them into its heap per run).
 * UltraFastBERT's tree runs a large batch as chunks of rows, one session run each (ufbBatchChunks).
 */
export async function prepareOrtKernel(ort: OrtModule, weights: Weights, batch: number, options: object, build: BuildOptions = {}): Promise<OrtKernel> {
  if (weights.kind === 'dense' && placementFor(parameterBytes(weights), build) === 'inputs') {
    return prepareChunkedDense(ort, weights, batch, options, build.denseChunkBytes ?? DENSE_CHUNK_BYTES);
  }
  const { inputDim, outputDim } = weights.shape;
  const { chunks, rows } = weights.kind === 'ufb' ? ufbBatchChunks(batch) : { chunks: 1, rows: batch };
  const { session, placement, weightFeeds, modelBytes } = await openSession(ort, weights, rows, options, build);
  // The serialised model is unreachable now, but V8 frees an ArrayBuffer only when a GC finds it
  // dead, and the next one may be far off: a model as large as the weights would stay resident
  // through the whole case. The workers expose gc (node --expose-gc, deno --v8-flags, Bun.gc).
  if (modelBytes > RELEASE_MODEL_BYTES) collectGarbage();
  const runRows = async (x: Float32Array): Promise<Float32Array> => {
    const results = await session.run({ [INPUT_NAME]: new ort.Tensor('float32', x, [rows, inputDim]), ...weightFeeds });
    const data = results[OUTPUT_NAME]?.data;
    if (!(data instanceof Float32Array)) throw new Error(`onnxruntime returned no float32 output '${OUTPUT_NAME}'`);
    return data;
  };
  // chunked: the output assembled here; the last chunk's input padded with zero rows
  const assembled = chunks > 1 ? new Float32Array(batch * outputDim) : undefined;
  const padded = chunks > 1 && chunks * rows > batch ? new Float32Array(rows * inputDim) : undefined;
  let last: Float32Array | undefined;
  return {
    placement,
    sessions: 1,
    inputNames: [...session.inputNames],
    async run(input) {
      if (!assembled) {
        last = await runRows(input);
        return;
      }
      for (let start = 0; start < batch; start += rows) {
        const count = Math.min(rows, batch - start);
        let x = input.subarray(start * inputDim, (start + count) * inputDim);
        if (count < rows) {
          padded!.set(x);
          x = padded!;
        }
        assembled.set((await runRows(x)).subarray(0, count * outputDim), start * outputDim);
      }
      last = assembled;
    },
    output() {
      if (!last) throw new Error('output() called before run()');
      return last;
    },
    async dispose() {
      await session.release();
    },
  };
}

/**
 * A dense layer past the protobuf limit: one session per hidden chunk (denseChunks), each with its
 * weights as constants, run one after another within the call, their outputs summed.
 */
async function prepareChunkedDense(ort: OrtModule, weights: DenseWeights, batch: number, options: object, chunkBytes: number): Promise<OrtKernel> {
  const { inputDim, outputDim } = weights.shape;
  const sessions: OrtSession[] = [];
  try {
    for (const chunk of denseChunks(weights, chunkBytes)) {
      sessions.push((await openSession(ort, chunk, batch, options, { maxModelBytes: Infinity })).session);
      collectGarbage(); // the chunk's copied W1 and its serialised model
    }
  } catch (err) {
    await Promise.all(sessions.map((s) => s.release()));
    throw err;
  }
  const sum = new Float32Array(batch * outputDim);
  let ran = false;
  return {
    placement: 'initializers',
    sessions: sessions.length,
    inputNames: [...sessions[0].inputNames],
    async run(input) {
      const feeds = { [INPUT_NAME]: new ort.Tensor('float32', input, [batch, inputDim]) };
      for (let k = 0; k < sessions.length; k++) {
        const data = (await sessions[k].run(feeds))[OUTPUT_NAME]?.data;
        if (!(data instanceof Float32Array)) throw new Error(`onnxruntime returned no float32 output '${OUTPUT_NAME}'`);
        if (k === 0) sum.set(data);
        else for (let n = 0; n < sum.length; n++) sum[n] += data[n];
      }
      ran = true;
    },
    output() {
      if (!ran) throw new Error('output() called before run()');
      return sum;
    },
    async dispose() {
      await Promise.all(sessions.map((s) => s.release()));
    },
  };
}

/**
 * Opens and runs a one-sample model of width 1, to find out in init() (not in the first case)
 * whether the library and its WASM or native binary load in this runtime. Returns the class name
 * of the session's handler: which library onnxruntime-common actually picked for the session.
 */
export async function probeOrt(ort: OrtModule, options: object): Promise<string> {
  const shape = { inputDim: 2, outputDim: 2, depth: 0, leafWidth: 1, activation: 'relu' } as const;
  const ones = (n: number) => new Float32Array(n).fill(1);
  const weights: Weights = { kind: 'dense', shape, width: 1, w1: ones(2), b1: ones(1), w2: ones(2), b2: ones(2) };
  const session = await ort.InferenceSession.create(buildModel(weights, 1).bytes, options);
  try {
    const results = await session.run({ [INPUT_NAME]: new ort.Tensor('float32', new Float32Array([1, 2]), [1, 2]) });
    const y = results[OUTPUT_NAME]?.data as Float32Array;
    // relu(1 + 2 + 1) · 1 + 1 = 5 in both outputs
    if (y?.[0] !== 5 || y?.[1] !== 5) throw new Error(`probe model computed [${y?.[0]}, ${y?.[1]}], expected [5, 5]`);
    // `handler` is not in the typings but is a plain property of every InferenceSession
    return (session as { handler?: { constructor?: { name?: string } } }).handler?.constructor?.name ?? 'unknown';
  } finally {
    await session.release();
  }
}

/**
 * The GraphEngine (types.ts) of an onnxruntime module: sessions with `options`, each run's outputs
 * bound to the caller's arrays as pre-allocated tensors (onnxruntime-common's `fetches`), which
 * onnxruntime fills; inputs read from the caller's arrays. `sharedMemoryInPlace` from
 * probeSharedMemory, once.
 */
export async function createGraphEngine(ort: OrtModule, sessionOptions: object, description: string): Promise<GraphEngine> {
  // A graph is one part of a pipeline (the encoder layer: attention, trees on another engine's
  // threads, add and norm): spinning threads of the part that just ran would take the cores of the
  // next, so its sessions never spin, the dense layer's one graph included (both variants alike).
  const options = withSpinning(sessionOptions, false);
  const sharedMemoryInPlace = await probeSharedMemory(ort, options);
  return {
    description,
    sharedMemoryInPlace,
    async open(model, dims): Promise<GraphSession> {
      const session = await ort.InferenceSession.create(model, options);
      const tensor = (name: string, data: Float32Array) => {
        const d = dims[name];
        if (!d) throw new Error(`graph session: no dims for "${name}"`);
        return new ort.Tensor('float32', data, d);
      };
      return {
        async run(inputs, outputs) {
          const feeds: Record<string, unknown> = {};
          for (const [name, data] of Object.entries(inputs)) feeds[name] = tensor(name, data);
          const fetches: Record<string, unknown> = {};
          for (const [name, data] of Object.entries(outputs)) fetches[name] = tensor(name, data);
          await session.run(feeds, fetches);
        },
        dispose: () => session.release(),
      };
    },
  };
}

/**
 * Whether onnxruntime reads an input on a SharedArrayBuffer and writes a pre-allocated output there
 * (onnxruntime-node 1.30: on Bun yes; on Node and Deno its N-API binding refuses them with "Invalid
 * argument"). A one-node graph y = x + x, run once on views of a shared WebAssembly memory.
 */
async function probeSharedMemory(ort: OrtModule, options: object): Promise<boolean> {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  const g = new GraphBuilder();
  g.input('x', 'float32', [2]);
  g.op('Add', ['x', 'x'], undefined, 'y');
  const session = await ort.InferenceSession.create(encodeModel(g.build('probe_shared', [{ name: 'y', elemType: 'float32', dims: [2] }])), options);
  try {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const x = new Float32Array(memory.buffer, 0, 2);
    const y = new Float32Array(memory.buffer, 64, 2);
    x.set([1, 2]);
    await session.run({ x: new ort.Tensor('float32', x, [2]) }, { y: new ort.Tensor('float32', y, [2]) });
    return y[0] === 2 && y[1] === 4;
  } catch {
    return false;
  } finally {
    await session.release();
  }
}
