/**
 * onnxruntime-web on its WebAssembly execution provider: `ort-wasm` (one thread) and
 * `ort-wasm-mt` (one thread per core, WebAssembly threads on SharedArrayBuffer + workers).
 *
 * Loading: under Node, Deno and Bun the package's "node" export condition selects
 * dist/ort.node.min.mjs, which finds ort-wasm-simd-threaded.{mjs,wasm} next to itself through
 * import.meta.url; no env.wasm.wasmPaths is needed.
 *
 * Threads: onnxruntime-web reads env.wasm.numThreads once, when its first session starts the WASM
 * module, and keeps that thread pool for the life of the module (sessions cannot choose their own
 * count: the wasm session options pass intra-op threads = 0, "use the global pool"). Both variants
 * run in the same worker process, so each needs its own copy of the library:
 *   - ort-wasm-mt: `import * as ort from 'onnxruntime-web'` (dist/ort.node.min.mjs);
 *   - ort-wasm:    `import('onnxruntime-web/wasm')` (dist/ort.wasm.bundle.min.mjs), a build with its
 *                  own copy of onnxruntime-common inlined: its own `env`, its own WASM module.
 * Not the package's CommonJS build: that shares onnxruntime-node's copy of onnxruntime-common,
 * whose backend registry then sends onnxruntime-node's 'cpu' sessions to WebAssembly (see
 * ort-node.ts). The '/wasm' bundle targets browsers but runs under Node, Deno and Bun at one
 * thread (verified; it finds the .wasm through import.meta.url like the node build).
 * init() checks that the two copies really are separate, and after start-up reads back the thread
 * count onnxruntime-web settled on: it silently drops to 1 where WebAssembly threads are
 * unavailable, which makes ort-wasm-mt unavailable rather than a mislabelled single-thread run.
 *
 * SIMD: the only binary shipped is ort-wasm-simd-threaded (fixed-width SIMD128), so env.wasm.simd
 * is set to true (check for fixed SIMD); relaxed SIMD would need a build the package does not ship.
 */
import type { Weights } from '../../model/weights.ts';
import type { Backend, BackendContext, BackendInfo } from '../types.ts';
import type { BuildOptions } from './graphs.ts';
import { UFB_STRATEGY } from './graphs-ufb.ts';
import { BASE_SESSION_OPTIONS, NO_SPINNING_NOTE, ortSpinning, prepareOrtKernel, probeOrt, withSpinning, type OrtModule } from './session.ts';

interface OrtWebModule extends OrtModule {
  env: OrtModule['env'] & { wasm: { numThreads?: number; simd?: boolean | 'fixed' | 'relaxed' } };
}

const WASM_SESSION_OPTIONS = { ...BASE_SESSION_OPTIONS, executionProviders: ['wasm'] };

const FFF_STRATEGY = 'unrolled tree walk (Gather node rows, Mul + ReduceSum, GreaterOrEqual), leaf weights gathered per sample, batched MatMul';

async function loadNodeBuild(): Promise<OrtWebModule> {
  return (await import('onnxruntime-web')) as unknown as OrtWebModule;
}

async function loadWasmBundle(): Promise<OrtWebModule> {
  return (await import('onnxruntime-web/wasm')) as unknown as OrtWebModule;
}

/** The env of each loaded copy, and how many threads the variant that started it asked for. */
const claimedEnvs = new Map<object, { backend: string; threads: number }>();

/**
 * `build` moves the threshold of the large-model path (tests force it small). Past it the
 * parameters are graph inputs, which onnxruntime-web copies into its heap on every run; at the
 * default threshold that path is only reached by models within 64 MiB of maxMemoryBytes.
 */
export function createOrtWebBackend(name: 'ort-wasm' | 'ort-wasm-mt', build: BuildOptions = {}): Backend {
  const multiThreaded = name === 'ort-wasm-mt';
  let ort: OrtWebModule | undefined;
  let threads = 0;
  let spinning = true;
  let sessionOptions: object = WASM_SESSION_OPTIONS;

  return {
    name,
    // A 32-bit wasm heap of 4 GiB holds the initializers and MLAS's prepacked copy of each weight
    // matrix: about twice the weights, so the weights themselves get half.
    models: ['fff', 'ufb', 'dense'],
    maxMemoryBytes: { fff: 2 * 2 ** 30, ufb: 2 * 2 ** 30, dense: 2 * 2 ** 30 },
    async init(ctx: BackendContext) {
      try {
        spinning = ortSpinning();
      } catch (err) {
        return { ok: false, reason: (err as Error).message };
      }
      sessionOptions = withSpinning(WASM_SESSION_OPTIONS, spinning);
      const wanted = multiThreaded ? ctx.cores : 1;
      if (multiThreaded && wanted < 2) return { ok: false, reason: `only ${ctx.cores} core: nothing for a multi-threaded run to use` };
      try {
        ort = multiThreaded ? await loadNodeBuild() : await loadWasmBundle();
      } catch (err) {
        return { ok: false, reason: `onnxruntime-web does not load on ${ctx.runtime}: ${(err as Error).message}` };
      }
      const claim = claimedEnvs.get(ort.env);
      if (claim && claim.threads !== wanted) {
        return {
          ok: false,
          reason: `${ctx.runtime} gave ${name} the same onnxruntime-web instance as ${claim.backend}, whose WASM thread pool was started with ${claim.threads} thread(s); the pool size is fixed per instance`,
        };
      }
      claimedEnvs.set(ort.env, { backend: name, threads: wanted });
      ort.env.logLevel = 'error';
      ort.env.wasm.simd = true;
      ort.env.wasm.numThreads = wanted;
      try {
        await probeOrt(ort, sessionOptions); // starts the WASM module and its thread pool
      } catch (err) {
        return { ok: false, reason: `onnxruntime-web WASM does not start on ${ctx.runtime}: ${(err as Error).message}` };
      }
      // onnxruntime-web writes back 1 here when it had to fall back to a single thread
      threads = ort.env.wasm.numThreads ?? 0;
      if (threads !== wanted) {
        return {
          ok: false,
          reason: `onnxruntime-web runs ${threads} thread(s) on ${ctx.runtime} instead of ${wanted}: WebAssembly threads (SharedArrayBuffer + workers) are not available there`,
        };
      }
      return { ok: true };
    },
    info(): BackendInfo {
      return {
        name,
        version: ort?.env.versions.web ?? 'not loaded',
        threads,
        denseKernel: `ONNX Gemm + activation (MLAS SGEMM compiled to WebAssembly SIMD128), ${threads} thread(s)`,
        fffStrategy: FFF_STRATEGY,
        ufbStrategy: UFB_STRATEGY,
        notes:
          (multiThreaded
            ? "onnxruntime-web's node build (dist/ort.node.min.mjs); WebAssembly threads on SharedArrayBuffer + workers, env.wasm.numThreads = cores"
            : "onnxruntime-web's self-contained '/wasm' bundle, a copy separate from ort-wasm-mt's, env.wasm.numThreads = 1") +
          (spinning ? '' : `; ${NO_SPINNING_NOTE}`),
      };
    },
    async prepare(weights: Weights, batchSize: number) {
      if (!ort) throw new Error(`${name}: prepare() before a successful init()`);
      return prepareOrtKernel(ort, weights, batchSize, sessionOptions, build);
    },
  };
}

export const ortWasmBackend = createOrtWebBackend('ort-wasm');
export const ortWasmMtBackend = createOrtWebBackend('ort-wasm-mt');
