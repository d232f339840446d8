/**
 * Adapter and device acquisition, and the small helpers the kernels share: buffers, pipelines
 * from generated WGSL, bind groups, error scopes.
 *
 * Usage flags are written as numbers, not GPUBufferUsage.*, because those globals exist in Deno
 * but in Node and Bun only after Dawn's globals were installed (runners/workers/gpu-dawn.ts).
 */

import { classifyAdapter, type AdapterClass } from '../../model/adapter.ts';
import { macsPerSample } from '../../model/cost.ts';
import type { Weights } from '../../model/weights.ts';
import { CaseTooLarge } from '../types.ts';

export const USAGE = { MAP_READ: 0x0001, COPY_SRC: 0x0004, COPY_DST: 0x0008, STORAGE: 0x0080 } as const;
const MAP_MODE_READ = 0x0001;

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** hardware, software (a CPU implementation) or unidentified (its info names nothing): src/model/adapter.ts. */
  adapterClass: AdapterClass;
  /** One line for results and reports; a software or unidentified adapter says so in brackets. */
  label: string;
}

export async function summarizeAdapter(adapter: GPUAdapter): Promise<AdapterSummary> {
  // adapter.info is current WebGPU; requestAdapterInfo() is what older implementations had.
  const legacy = adapter as GPUAdapter & { requestAdapterInfo?: () => Promise<GPUAdapterInfo>; isFallbackAdapter?: boolean };
  const info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean } = adapter.info ?? (await legacy.requestAdapterInfo?.()) ?? {};
  const vendor = (info.vendor ?? '').trim();
  const architecture = (info.architecture ?? '').trim();
  const device = (info.device ?? '').trim();
  const description = (info.description ?? '').trim();
  const fallback = info.isFallbackAdapter ?? legacy.isFallbackAdapter ?? false;
  const adapterClass = classifyAdapter({ vendor, architecture, device, description, fallback });
  const names = [vendor, architecture, description || device].filter((s) => s !== '').join(' ');
  const label =
    adapterClass === 'hardware'
      ? names
      : adapterClass === 'software'
        ? `${names || 'fallback adapter'} [software adapter]`
        : `${names ? `${names} ` : ''}[unidentified adapter: no vendor, architecture, device or description names it]`;
  return { vendor, architecture, device, description, adapterClass, label };
}

/** What the notes of a result on this adapter must say about it (empty for a hardware adapter). */
export function adapterCaveat(adapter: AdapterSummary): string {
  if (adapter.adapterClass === 'software') return '; a software (CPU) implementation of WebGPU: these timings measure CPU emulation, not a GPU';
  if (adapter.adapterClass === 'unidentified')
    return "; the adapter does not identify itself, so nothing shows it is a GPU (Mesa's llvmpipe through OpenGL reports nothing on some machines): its timings judge nothing";
  return '';
}

/** Runs a WebGPU backend on a software or unidentified adapter too (correctness-sized cases only): "1". */
export const ANY_ADAPTER_VARIABLE = 'FFFBENCH_WEBGPU_ANY_ADAPTER';
/**
 * The most multiply-adds one batch of a case may take on a software or unidentified adapter: the
 * tests' odd shapes fit (at most ~0.7 M), a suite's shapes do not (a claims shape is 25 M to 10 G).
 */
export const NON_GPU_MAX_MACS = 2 ** 22;

/**
 * Why a WebGPU backend does not run on `adapter`, or undefined where it does: a hardware adapter
 * always; a software or unidentified one only where FFFBENCH_WEBGPU_ANY_ADAPTER=1 asks for it.
 * A CPU rasteriser's timings say nothing about a GPU, and it can take minutes for one case (Mesa's
 * llvmpipe compiles the dense GEMM's shader for minutes through OpenGL), so a suite skips it.
 */
export function nonGpuRefusal(adapter: AdapterSummary): string | undefined {
  if (adapter.adapterClass === 'hardware') return undefined;
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.[ANY_ADAPTER_VARIABLE] === '1') return undefined;
  const what = adapter.adapterClass === 'software' ? 'a software (CPU) implementation of WebGPU' : 'nothing shows it is a GPU';
  return `the WebGPU adapter here is ${adapter.label}: ${what}. Its timings would measure no GPU, and a CPU rasteriser can take minutes per case; ${ANY_ADAPTER_VARIABLE}=1 runs cases of up to ${NON_GPU_MAX_MACS / 2 ** 20} M multiply-adds per batch on it (a correctness check, labelled, never judged)`;
}

/**
 * On a software or unidentified adapter (run with FFFBENCH_WEBGPU_ANY_ADAPTER=1), a case over
 * NON_GPU_MAX_MACS per batch is skipped (CaseTooLarge) before anything is set up.
 */
export function checkNonGpuCaseSize(adapter: AdapterSummary, weights: Weights, batchSize: number): void {
  if (adapter.adapterClass === 'hardware') return;
  const macs = macsPerSample(weights.kind, weights.shape) * batchSize;
  if (macs > NON_GPU_MAX_MACS) {
    throw new CaseTooLarge(
      `${(macs / 2 ** 20).toFixed(1)} M multiply-adds per batch, over the ${NON_GPU_MAX_MACS / 2 ** 20} M that run on a ${adapter.adapterClass} adapter (${adapter.label}): it is not a GPU, and only correctness-sized cases run there`,
    );
  }
}

export interface Gpu {
  device: GPUDevice;
  adapter: AdapterSummary;
  maxBindingBytes: number;
  /** Median ms from an empty submit to onSubmittedWorkDone: the floor under every timed call. */
  completionFloorMs: number;
}

/**
 * The runtime's completion latency. It differs a lot: Dawn resolves in tens of µs, Deno's wgpu
 * polls the device on a timer (~12 ms here), which then bounds every timed call from below.
 */
async function completionFloorMs(device: GPUDevice): Promise<number> {
  const times: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    device.queue.submit([device.createCommandEncoder().finish()]);
    await device.queue.onSubmittedWorkDone();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[2];
}

/** The adapter's largest limits, so wide layers fit where the hardware allows. */
function generousLimits(adapter: GPUAdapter): Record<string, number> {
  const wanted = [
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxStorageBuffersPerShaderStage',
    'maxComputeWorkgroupStorageSize',
    'maxComputeWorkgroupsPerDimension',
  ] as const;
  const limits: Record<string, number> = {};
  for (const name of wanted) {
    const value = adapter.limits[name];
    if (typeof value === 'number') limits[name] = value;
  }
  return limits;
}

/** A device on the default adapter, or why there is none. Never throws. */
export async function openGpu(entry: (() => Promise<GPU>) | undefined): Promise<Gpu | { reason: string }> {
  if (!entry) return { reason: 'this runtime provides no WebGPU entry point' };
  let gpu: GPU;
  try {
    gpu = await entry();
  } catch (err) {
    return { reason: `WebGPU is not available: ${(err as Error).message}` };
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    return { reason: `requestAdapter failed: ${(err as Error).message}` };
  }
  if (!adapter) return { reason: 'no WebGPU adapter (no GPU, and no software Vulkan driver such as Mesa lavapipe ≥ 25; see .ci/install-webgpu.sh)' };
  const summary = await summarizeAdapter(adapter);
  try {
    const device = await adapter.requestDevice({ requiredLimits: generousLimits(adapter) });
    return { device, adapter: summary, maxBindingBytes: device.limits.maxStorageBufferBindingSize, completionFloorMs: await completionFloorMs(device) };
  } catch (err) {
    return { reason: `requestDevice failed on ${summary.label}: ${(err as Error).message}` };
  }
}

/** Bytes of a storage buffer for `data`; WebGPU wants sizes in multiples of 4 and bindings of at least 4 bytes. */
function storageSize(bytes: number): number {
  return Math.max(16, Math.ceil(bytes / 4) * 4);
}

export function checkBindingFits(gpu: Gpu, what: string, bytes: number): void {
  if (bytes > gpu.maxBindingBytes) {
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
    throw new CaseTooLarge(
      `${what} needs ${mib(bytes)} in one storage binding, over this adapter's maxStorageBufferBindingSize of ${mib(gpu.maxBindingBytes)}`,
    );
  }
}

/** A storage buffer holding `data` (uploaded now), or an empty one of `bytes`. */
export function storageBuffer(gpu: Gpu, what: string, data: Float32Array | Uint32Array | number, extraUsage = 0): GPUBuffer {
  const bytes = typeof data === 'number' ? data : data.byteLength;
  checkBindingFits(gpu, what, bytes);
  const buffer = gpu.device.createBuffer({ label: what, size: storageSize(bytes), usage: USAGE.STORAGE | USAGE.COPY_DST | USAGE.COPY_SRC | extraUsage });
  if (typeof data !== 'number' && data.byteLength > 0) writeBuffer(gpu.device, buffer, data);
  return buffer;
}

/**
 * queue.writeBuffer, copying views of a SharedArrayBuffer first: Node 20's Dawn rejects them.
 */
export function writeBuffer(device: GPUDevice, buffer: GPUBuffer, data: Float32Array | Uint32Array): void {
  const plain = typeof SharedArrayBuffer !== 'undefined' && data.buffer instanceof SharedArrayBuffer ? data.slice() : data;
  device.queue.writeBuffer(buffer, 0, plain as Float32Array<ArrayBuffer>, 0, plain.length);
}

/** A compute pipeline from generated WGSL; compilation errors are thrown with the compiler's messages. */
export async function computePipeline(device: GPUDevice, label: string, code: string): Promise<GPUComputePipeline> {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ label, code });
  const pipeline = await device.createComputePipelineAsync({ label, layout: 'auto', compute: { module, entryPoint: 'main' } }).catch(async (err: Error) => {
    const info = await module.getCompilationInfo?.();
    const messages = info?.messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ');
    throw new Error(`WGSL ${label} did not compile: ${messages || err.message}`);
  });
  const error = await device.popErrorScope();
  if (error) throw new Error(`WGSL ${label}: ${error.message}`);
  return pipeline;
}

/** A bind group whose binding n is buffers[n] (the WGSL declares them in the same order). */
export function bindBuffers(device: GPUDevice, pipeline: GPUComputePipeline, buffers: GPUBuffer[]): GPUBindGroup {
  return device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
}

/** WGSL declarations for bindings 0…n−1, in the order of `decls` ("name: type" plus access). */
export type BindingDecl = readonly [name: string, access: 'read' | 'read_write', type: string];
export function bindingDecls(decls: readonly BindingDecl[]): string {
  return decls.map(([name, access, type], n) => `@group(0) @binding(${n}) var<storage, ${access}> ${name}: ${type};`).join('\n');
}

/** Reads a buffer back through a mappable staging copy. */
export async function readBack(device: GPUDevice, source: GPUBuffer, staging: GPUBuffer, floats: number): Promise<Float32Array> {
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(source, 0, staging, 0, staging.size);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(MAP_MODE_READ);
  const out = new Float32Array(staging.getMappedRange().slice(0, floats * 4));
  staging.unmap();
  return out;
}

/** Workgroup grid for `count` workgroups: x up to the per-dimension limit, the rest in y. */
export function grid(count: number, maxPerDimension = 65535): [number, number] {
  return count <= maxPerDimension ? [count, 1] : [maxPerDimension, Math.ceil(count / maxPerDimension)];
}

/** Runs `body` in validation and out-of-memory error scopes and throws what they caught. */
export async function withErrorScopes<T>(device: GPUDevice, what: string, body: () => Promise<T>): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let result: T;
  try {
    result = await body();
  } catch (err) {
    await device.popErrorScope();
    await device.popErrorScope();
    throw err;
  }
  const validation = await device.popErrorScope();
  const memory = await device.popErrorScope();
  if (validation) throw new Error(`${what}: ${validation.message}`);
  if (memory) throw new Error(`${what}: out of GPU memory (${memory.message})`);
  return result;
}

/** The case's input, output and readback buffers, which every WGSL kernel has. */
export interface KernelIo {
  x: GPUBuffer;
  y: GPUBuffer;
  staging: GPUBuffer;
}

/**
 * Sets a kernel up under error scopes (withErrorScopes, labelled "`what` prepare"): `build` gets
 * the case's input and output buffers (`what` input, `what` output) with the output's readback
 * buffer, and a `keep` for every other buffer it creates. If anything fails, every buffer made so
 * far is destroyed before the error goes on. Returns what `build` made, the I/O buffers, and all
 * the buffers, for dispatchKernel.
 */
export async function setUpKernel<T>(
  gpu: Gpu,
  what: string,
  bytes: { input: number; output: number },
  build: (io: KernelIo, keep: (b: GPUBuffer) => GPUBuffer) => Promise<T>,
): Promise<{ built: T; io: KernelIo; buffers: GPUBuffer[] }> {
  const buffers: GPUBuffer[] = [];
  const keep = (b: GPUBuffer) => {
    buffers.push(b);
    return b;
  };
  return withErrorScopes(gpu.device, `${what} prepare`, async () => {
    const x = keep(storageBuffer(gpu, `${what} input`, bytes.input));
    const y = keep(storageBuffer(gpu, `${what} output`, bytes.output));
    const staging = keep(gpu.device.createBuffer({ label: `${what} staging`, size: y.size, usage: USAGE.MAP_READ | USAGE.COPY_DST }));
    const io = { x, y, staging };
    return { built: await build(io, keep), io, buffers };
  }).catch((err) => {
    for (const b of buffers) b.destroy();
    throw err;
  });
}

/** One compute pass of the kernel: a pipeline, its bindings and its workgroup grid. */
export interface Dispatch {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  groups: number[];
}

/**
 * The Kernel every WGSL backend path returns. run() writes the input, encodes all passes in one
 * compute pass and waits for onSubmittedWorkDone: the timing covers upload, dispatch and completion.
 * The first call (the correctness check) runs under error scopes; timed calls do not pay for them.
 */
export function dispatchKernel(
  device: GPUDevice,
  label: string,
  io: { x: GPUBuffer; y: GPUBuffer; staging: GPUBuffer; outputFloats: number },
  passes: Dispatch[],
  buffers: GPUBuffer[],
) {
  let checkedErrors = false;
  const dispatchAll = async () => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (const p of passes) {
      pass.setPipeline(p.pipeline);
      pass.setBindGroup(0, p.bindGroup);
      pass.dispatchWorkgroups(p.groups[0], p.groups[1] ?? 1, p.groups[2] ?? 1);
    }
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  return {
    async run(input: Float32Array) {
      writeBuffer(device, io.x, input);
      if (!checkedErrors) {
        checkedErrors = true;
        await withErrorScopes(device, label, dispatchAll);
      } else {
        await dispatchAll();
      }
    },
    output: () => readBack(device, io.y, io.staging, io.outputFloats),
    dispose() {
      for (const b of buffers) b.destroy();
    },
  };
}
