/**
 * onnxruntime-node: the native onnxruntime library (CPU execution provider, MLAS kernels chosen
 * for this CPU at run time) through its N-API addon, with an intra-op thread pool of one thread per
 * core and sequential execution.
 *
 * The package's install script is disabled (package.json allowScripts); the Linux x64 and arm64
 * binaries ship inside the package, so nothing is downloaded. N-API addons also load in Deno
 * (npm compatibility, needs --allow-ffi, covered by -A) and Bun; where one does not, init()
 * reports the loader's error.
 *
 * Models past protobuf's 2 GiB (parameters of more than MAX_MODEL_BYTES): a dense layer runs as
 * hidden chunks, one session each with its weights as constants, outputs summed (as graph inputs
 * its Gemm would repack the weights on every call: 1.2–1.3x slower at batch 256, an unfair
 * baseline). The FFF's (and UltraFastBERT tree's) parameters become graph inputs, tensors around
 * the generated arrays fed on every run, which onnxruntime-node reads in place (measured: no copy
 * at creation or per run; its Gathers run as fast as on constants). See weightCopies.
 */
import type { LayerModel } from '../../model/shape.ts';
import type { Weights } from '../../model/weights.ts';
import type { Backend, BackendContext, BackendInfo, GraphEngine } from '../types.ts';
import { DENSE_CHUNK_BYTES, MAX_MODEL_BYTES, placementFor, type BuildOptions } from './graphs.ts';
import { UFB_STRATEGY } from './graphs-ufb.ts';
import type { WeightPlacement } from './onnx-model.ts';
import {
  BASE_SESSION_OPTIONS,
  createGraphEngine,
  NO_SPINNING_NOTE,
  ortSpinning,
  prepareOrtKernel,
  probeOrt,
  withSpinning,
  type OrtKernel,
  type OrtModule,
} from './session.ts';

/** Class of onnxruntime-node's session handler (its dist is not minified). */
const NATIVE_HANDLER = 'OnnxruntimeSessionHandler';

/**
 * Peak copies of the weights onnxruntime-node holds besides the generated arrays, measured
 * (VmHWM) on dense and FFF of 1.5 GiB at i = o = 768:
 *   - 'initializers': 2.5, while the session is created — the serialised model (ours, collected
 *     right after), the ModelProto onnxruntime parses from it, and its initializer tensors or MLAS's
 *     prepacked copies of them, made one tensor at a time. Once created it holds 1.0.
 *   - 'inputs': 0 — nothing but the graph; every run reads the generated arrays in place (resident
 *     memory grows by the activations only, at creation and over the runs).
 */
const PEAK_WEIGHT_COPIES: Record<WeightPlacement, number> = { initializers: 2.5, inputs: 0 };

/**
 * A chunked dense layer keeps every chunk's prepacked weights (1.0 in all) plus, while one chunk's
 * session is created, that chunk's 2.5 copies.
 */
function chunkedDenseCopies(weightBytes: number, chunkBytes: number): number {
  return 1 + (PEAK_WEIGHT_COPIES.initializers * Math.min(chunkBytes, weightBytes)) / weightBytes;
}

/** ort-node; `build` moves the threshold of the large-model path (tests force it small). */
export function createOrtNodeBackend(build: BuildOptions = {}): Backend {
  let ort: OrtModule | undefined;
  let sessionOptions: object = BASE_SESSION_OPTIONS;
  let threads = 0;
  let spinning = true;
  let graphs: GraphEngine | undefined;
  const maxModelBytes = build.maxModelBytes ?? MAX_MODEL_BYTES;

  return {
    name: 'ort-node',
    models: ['fff', 'ufb', 'dense'],
    weightCopies(model: LayerModel, weightBytes: number): number {
      const placement = placementFor(weightBytes, build);
      if (model === 'dense' && placement === 'inputs') return chunkedDenseCopies(weightBytes, build.denseChunkBytes ?? DENSE_CHUNK_BYTES);
      return PEAK_WEIGHT_COPIES[placement];
    },
    async init(ctx: BackendContext) {
      try {
        ort = (await import('onnxruntime-node')) as unknown as OrtModule;
      } catch (err) {
        return { ok: false, reason: `onnxruntime-node's native addon does not load on ${ctx.runtime}: ${(err as Error).message}` };
      }
      threads = ctx.cores;
      try {
        spinning = ortSpinning();
      } catch (err) {
        return { ok: false, reason: (err as Error).message };
      }
      sessionOptions = withSpinning({ ...BASE_SESSION_OPTIONS, executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1 }, spinning);
      let handler: string;
      try {
        handler = await probeOrt(ort, sessionOptions);
      } catch (err) {
        return { ok: false, reason: `onnxruntime-node does not run on ${ctx.runtime}: ${(err as Error).message}` };
      }
      // onnxruntime-common keeps one registry of backends by EP name, and its registerBackend never
      // replaces an entry already there with a lower priority: had an onnxruntime-web build sharing
      // this copy of onnxruntime-common registered 'cpu' first, our 'cpu' sessions would silently run
      // on WebAssembly. (ort-web.ts loads only builds that do not share it; this guards the claim.)
      if (handler !== NATIVE_HANDLER) {
        return {
          ok: false,
          reason: `onnxruntime-common on ${ctx.runtime} routed the 'cpu' execution provider to ${handler}, not onnxruntime-node's ${NATIVE_HANDLER} (another onnxruntime library registered 'cpu' first)`,
        };
      }
      graphs = await createGraphEngine(
        ort,
        sessionOptions,
        `onnxruntime-node ${ort.env.versions.node ?? ''}, CPU execution provider (MLAS), ${threads} intra-op thread(s)`,
      );
      return { ok: true };
    },
    info(): BackendInfo {
      return {
        name: 'ort-node',
        version: ort?.env.versions.node ?? 'not loaded',
        threads,
        denseKernel: `ONNX Gemm + activation (native MLAS SGEMM, CPU execution provider), ${threads} intra-op thread(s)`,
        fffStrategy: 'unrolled tree walk (Gather node rows, Mul + ReduceSum, GreaterOrEqual), leaf weights gathered per sample, batched MatMul',
        ufbStrategy: UFB_STRATEGY,
        notes: `models over ${(maxModelBytes / 2 ** 30).toFixed(2)} GiB of parameters (protobuf's limit): the dense layer runs as hidden chunks of at most ${((build.denseChunkBytes ?? DENSE_CHUNK_BYTES) / 2 ** 20).toFixed(0)} MiB, one session each with constant (prepacked) weights, outputs summed; the FFF's and UltraFastBERT tree's parameters are fed as graph inputs, read in place${spinning ? '' : `; ${NO_SPINNING_NOTE}`}`,
      };
    },
    async prepare(weights: Weights, batchSize: number): Promise<OrtKernel> {
      if (!ort) throw new Error('ort-node: prepare() before a successful init()');
      return prepareOrtKernel(ort, weights, batchSize, sessionOptions, build);
    },
    graphs(): GraphEngine {
      if (!graphs) throw new Error('ort-node: graphs() before a successful init()');
      return graphs;
    },
  };
}

export const ortNodeBackend = createOrtNodeBackend();
