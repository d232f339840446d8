/**
 * onnxruntime-node: the native onnxruntime library (CPU execution provider, MLAS kernels chosen
 * for this CPU at run time) through its N-API addon, with an intra-op thread pool of one thread per
 * core and sequential execution.
 *
 * The package's install script is disabled (package.json allowScripts); the Linux x64 and arm64
 * binaries ship inside the package, so nothing is downloaded. N-API addons also load in Deno
 * (npm compatibility, needs --allow-ffi, covered by -A) and Bun; where one does not, init()
 * reports the loader's error.
 */
import type { Weights } from '../../model/weights.ts';
import type { Backend, BackendContext, BackendInfo } from '../types.ts';
import { BASE_SESSION_OPTIONS, prepareOrtKernel, probeOrt, type OrtModule } from './session.ts';

/** Class of onnxruntime-node's session handler (its dist is not minified). */
const NATIVE_HANDLER = 'OnnxruntimeSessionHandler';

let ort: OrtModule | undefined;
let sessionOptions: object = BASE_SESSION_OPTIONS;
let threads = 0;

export const ortNodeBackend: Backend = {
  name: 'ort-node',
  async init(ctx: BackendContext) {
    try {
      ort = (await import('onnxruntime-node')) as unknown as OrtModule;
    } catch (err) {
      return { ok: false, reason: `onnxruntime-node's native addon does not load on ${ctx.runtime}: ${(err as Error).message}` };
    }
    threads = ctx.cores;
    sessionOptions = { ...BASE_SESSION_OPTIONS, executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1 };
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
      return { ok: false, reason: `onnxruntime-common on ${ctx.runtime} routed the 'cpu' execution provider to ${handler}, not onnxruntime-node's ${NATIVE_HANDLER} (another onnxruntime library registered 'cpu' first)` };
    }
    return { ok: true };
  },
  info(): BackendInfo {
    return {
      name: 'ort-node',
      version: ort?.env.versions.node ?? 'not loaded',
      threads,
      denseKernel: `ONNX Gemm + activation (native MLAS SGEMM, CPU execution provider), ${threads} intra-op thread(s)`,
      fffStrategy: 'unrolled tree walk (Gather node rows, Mul + ReduceSum, GreaterOrEqual), leaf weights gathered per sample, batched MatMul',
    };
  },
  async prepare(weights: Weights, batchSize: number) {
    if (!ort) throw new Error('ort-node: prepare() before a successful init()');
    return prepareOrtKernel(ort, weights, batchSize, sessionOptions);
  },
};
