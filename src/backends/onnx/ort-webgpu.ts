/**
 * `ort-webgpu`: onnxruntime-web's WebGPU execution provider running the same ONNX graphs as the
 * other onnxruntime backends (src/backends/onnx/graphs.ts) — the ecosystem comparator for `webgpu`.
 *
 * Loading: `onnxruntime-web/webgpu` (the build with ORT's native WebGPU EP, compiled to
 * WebAssembly with Asyncify). The library asks `navigator.gpu` for its adapter, so where the
 * runtime has no navigator.gpu (Node, Bun: Dawn comes from BackendContext.gpu) it is installed
 * there; env.webgpu.adapter pins the adapter recorded in info(). The .wasm binary is read from
 * the package and handed over (Node 20's fetch cannot read file: URLs). One WASM thread: the
 * kernels run on the GPU, and a thread pool would need workers this build does not set up here.
 *
 * What is timed: InferenceSession.run with CPU tensors, i.e. upload of the input, the graph's
 * dispatches, and the download of the output (onnxruntime-web has no way to leave it on the GPU
 * for CPU tensors) — unlike `webgpu`, whose timed call excludes the read-back. Operators the
 * WebGPU EP lacks fall back to onnxruntime's WASM CPU kernels inside the same run.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Weights } from '../../model/weights.ts';
import { BASE_SESSION_OPTIONS, prepareOrtKernel, probeOrt, type OrtModule } from './session.ts';
import type { Availability, Backend, BackendContext, BackendInfo } from '../types.ts';
import { adapterCaveat, checkNonGpuCaseSize, nonGpuRefusal, summarizeAdapter, type AdapterSummary } from '../webgpu/device.ts';

interface OrtWebGpuModule extends OrtModule {
  env: OrtModule['env'] & { wasm: { numThreads?: number; wasmBinary?: Uint8Array }; webgpu: { adapter?: GPUAdapter } };
}

const SESSION_OPTIONS = { ...BASE_SESSION_OPTIONS, executionProviders: ['webgpu'] };
/** The binary that the `onnxruntime-web/webgpu` bundle instantiates. */
const WASM_FILE = 'ort-wasm-simd-threaded.asyncify.wasm';

let ort: OrtWebGpuModule | undefined;
let adapter: AdapterSummary | undefined;

/** Makes `gpu` reachable as navigator.gpu, where the runtime has no WebGPU of its own. */
function exposeAsNavigatorGpu(gpu: GPU): void {
  const global = globalThis as { navigator?: { gpu?: GPU } };
  if (global.navigator?.gpu) return;
  if (!global.navigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  else Object.defineProperty(global.navigator, 'gpu', { value: gpu, configurable: true });
}

async function setUp(ctx: BackendContext): Promise<Availability> {
  if (!ctx.gpu) return { ok: false, reason: 'this runtime provides no WebGPU entry point' };
  let gpu: GPU;
  try {
    gpu = await ctx.gpu();
  } catch (err) {
    return { ok: false, reason: `WebGPU is not available: ${(err as Error).message}` };
  }
  const found = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  if (!found) return { ok: false, reason: 'no WebGPU adapter (no GPU, and no software Vulkan driver such as Mesa lavapipe ≥ 25; see .ci/install-webgpu.sh)' };
  adapter = await summarizeAdapter(found);
  const refusal = nonGpuRefusal(adapter);
  if (refusal) return { ok: false, reason: refusal };
  exposeAsNavigatorGpu(gpu);
  try {
    ort = (await import('onnxruntime-web/webgpu')) as unknown as OrtWebGpuModule;
    // the package's main entry sits in dist/, next to the .wasm files
    const dist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
    ort.env.wasm.wasmBinary = readFileSync(join(dist, WASM_FILE));
  } catch (err) {
    return { ok: false, reason: `onnxruntime-web/webgpu does not load on ${ctx.runtime}: ${(err as Error).message}` };
  }
  ort.env.logLevel = 'error';
  ort.env.wasm.numThreads = 1;
  ort.env.webgpu.adapter = found;
  try {
    // Starts the WASM module and the WebGPU EP. On Node 20 the first inference of this Asyncify
    // build stalls ~40 s while V8 11 optimises one huge function; it happens here, not in a case.
    await probeOrt(ort, SESSION_OPTIONS);
  } catch (err) {
    return { ok: false, reason: `onnxruntime-web's WebGPU EP does not run on ${ctx.runtime} (${adapter.label}): ${(err as Error).message}` };
  }
  return { ok: true };
}

let ready: Promise<Availability> | undefined;

export const ortWebGpuBackend: Backend = {
  name: 'ort-webgpu',
  init(ctx: BackendContext) {
    ready ??= setUp(ctx);
    return ready;
  },
  info(): BackendInfo {
    return {
      name: 'ort-webgpu',
      version: ort?.env.versions.web ?? 'not loaded',
      threads: 1,
      denseKernel: "ONNX Gemm + activation on onnxruntime-web's WebGPU execution provider",
      fffStrategy: 'unrolled tree walk (Gather node rows, Mul + ReduceSum, GreaterOrEqual), leaf weights gathered per sample, batched MatMul; WebGPU EP',
      notes: adapter
        ? `adapter: ${adapter.label}${adapterCaveat(adapter)}; timed: InferenceSession.run with CPU tensors (input upload, dispatches, output read-back)`
        : undefined,
      adapter: adapter?.label,
      adapterClass: adapter?.adapterClass,
    };
  },
  async prepare(weights: Weights, batchSize: number) {
    if (!ort || !adapter) throw new Error('ort-webgpu: prepare() before a successful init()');
    checkNonGpuCaseSize(adapter, weights, batchSize);
    return prepareOrtKernel(ort, weights, batchSize, SESSION_OPTIONS);
  },
};
