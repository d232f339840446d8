/**
 * `webgpu`: the project's own WGSL compute kernels (dense.ts, fff.ts, ufb.ts) on the runtime's WebGPU —
 * Deno's built-in navigator.gpu, Dawn (the `webgpu` npm package) on Node and Bun, as provided by
 * runners/ through BackendContext.gpu.
 *
 * What is timed: one `run` call = writing the batch's input into its GPU buffer
 * (queue.writeBuffer), encoding and submitting the case's dispatches (dense: 2 GEMMs per hidden
 * chunk; FFF: 1 fused dispatch, or walk + sort + leaf; UltraFastBERT's tree: 1 dispatch), and
 * waiting for the GPU to finish them (queue.onSubmittedWorkDone). Weights are uploaded once in prepare; reading the output back is
 * not timed (it happens only for the correctness check). Calls under ~65 µs are timed in batches
 * of 128 by the measuring core, so timer resolution does not dominate.
 */
import type { Weights } from '../../model/weights.ts';
import type { Availability, Backend, BackendContext, BackendInfo } from '../types.ts';
import { prepareDense } from './dense.ts';
import { adapterCaveat, checkNonGpuCaseSize, nonGpuRefusal, openGpu, type Gpu } from './device.ts';
import { GROUP_PER_LEAF, prepareFff } from './fff.ts';
import { prepareUfb, UFB_STRATEGY } from './ufb.ts';

let gpu: Gpu | undefined;

function describe(): BackendInfo {
  const adapter = gpu?.adapter;
  const notes = adapter
    ? `adapter: ${adapter.label}` +
      adapterCaveat(adapter) +
      `; each timed call includes input upload and waiting for completion, whose floor (empty submit → onSubmittedWorkDone) is ${gpu!.completionFloorMs.toPrecision(2)} ms here`
    : undefined;
  return {
    name: 'webgpu',
    version: '1',
    threads: 1,
    denseKernel: 'WGSL tiled GEMM, 64×64 tiles in workgroup memory, 4×4 per invocation; bias + activation fused',
    fffStrategy: `WGSL: walk + leaf in one dispatch (a workgroup per sample); from ${GROUP_PER_LEAF} samples per leaf, walk, counting sort by leaf, then leaf FF on tiles of 8 same-leaf samples`,
    ufbStrategy: UFB_STRATEGY,
    notes,
    adapter: adapter?.label,
    adapterClass: adapter?.adapterClass,
  };
}

export const webgpuBackend: Backend = {
  name: 'webgpu',
  models: ['fff', 'ufb', 'dense'],
  async init(ctx: BackendContext): Promise<Availability> {
    if (gpu) return refused ? { ok: false, reason: refused } : { ok: true };
    const opened = await openGpu(ctx.gpu);
    if ('reason' in opened) return { ok: false, reason: opened.reason };
    // refused adapters stay recorded (info()), so the skipped cases name what was found
    gpu = opened;
    const refusal = nonGpuRefusal(opened.adapter);
    if (refusal) return { ok: false, reason: (refused = refusal) };
    // A lost device (driver reset, out of memory) ends the backend: later cases fail with the reason.
    void gpu.device.lost.then((info) => {
      lostReason = `GPU device lost: ${info.message || info.reason}`;
    });
    return { ok: true };
  },
  info: describe,
  async prepare(weights: Weights, batchSize: number) {
    if (!gpu) throw new Error('webgpu backend used before init succeeded');
    if (lostReason) throw new Error(lostReason);
    checkNonGpuCaseSize(gpu.adapter, weights, batchSize);
    if (weights.kind === 'ufb') return prepareUfb(gpu, weights, batchSize);
    return weights.kind === 'dense' ? prepareDense(gpu, weights, batchSize) : prepareFff(gpu, weights, batchSize);
  },
};

let lostReason: string | undefined;
/** Why init refused the adapter (nonGpuRefusal); later inits answer the same. */
let refused: string | undefined;
