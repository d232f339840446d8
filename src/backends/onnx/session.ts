/**
 * What the onnxruntime backends share: the Kernel around an InferenceSession, and the session
 * options. onnxruntime-web and onnxruntime-node expose the same API (onnxruntime-common), so the
 * few members used here are typed structurally and either module fits.
 */
import type { Weights } from '../../model/weights.ts';
import type { Kernel } from '../types.ts';
import { buildModel, INPUT_NAME, OUTPUT_NAME } from './graphs.ts';

export interface OrtSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown }>>;
  release(): Promise<void>;
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

/** Builds the model for `weights` and batch, opens a session on it, and wraps it as a Kernel. */
export async function prepareOrtKernel(ort: OrtModule, weights: Weights, batch: number, options: object): Promise<Kernel> {
  const { inputDim } = weights.shape;
  const session = await ort.InferenceSession.create(buildModel(weights, batch), options);
  let last: Float32Array | undefined;
  return {
    async run(input) {
      const results = await session.run({ [INPUT_NAME]: new ort.Tensor('float32', input, [batch, inputDim]) });
      const data = results[OUTPUT_NAME]?.data;
      if (!(data instanceof Float32Array)) throw new Error(`onnxruntime returned no float32 output '${OUTPUT_NAME}'`);
      last = data;
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
 * Opens and runs a one-sample model of width 1, to find out in init() (not in the first case)
 * whether the library and its WASM or native binary load in this runtime. Returns the class name
 * of the session's handler: which library onnxruntime-common actually picked for the session.
 */
export async function probeOrt(ort: OrtModule, options: object): Promise<string> {
  const shape = { inputDim: 2, outputDim: 2, depth: 0, leafWidth: 1, activation: 'relu' } as const;
  const ones = (n: number) => new Float32Array(n).fill(1);
  const weights: Weights = { kind: 'dense', shape, width: 1, w1: ones(2), b1: ones(1), w2: ones(2), b2: ones(2) };
  const session = await ort.InferenceSession.create(buildModel(weights, 1), options);
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
