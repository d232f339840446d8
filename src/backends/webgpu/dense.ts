/**
 * Dense FF on WebGPU: Y = act(X·W1 + b1)·W2 + b2 as two tiled GEMMs with fused epilogues.
 *
 * GEMM: each workgroup computes a 64 × 64 tile of C with 16 × 16 invocations, each owning a 4 × 4
 * block held in registers; A and B are staged through workgroup memory 16 values of K at a time,
 * so each value loaded from storage is used 64 times.
 * Epilogues: the hidden GEMM adds b1 and applies the activation as it stores; the output GEMM
 * adds b2 (first hidden chunk) or accumulates into Y (later chunks).
 * Split-K: where the output GEMM has few tiles (small batch, narrow output) and a long K (the
 * hidden width), K is split over workgroup layers that store partial sums, and a second pass adds
 * them up with the epilogue — otherwise a handful of workgroups would do all the work.
 *
 * The hidden layer is split into chunks only where one storage binding cannot hold a whole
 * W1, W2 or hidden matrix (the adapter's maxStorageBufferBindingSize, 128 MiB on lavapipe).
 */
import type { DenseWeights } from '../../model/weights.ts';
import { CaseTooLarge, type Kernel } from '../types.ts';
import { bindBuffers, bindingDecls, computePipeline, dispatchKernel, grid, setUpKernel, storageBuffer, type BindingDecl, type Gpu } from './device.ts';
import { activationWgsl, u32 } from './wgsl.ts';

const TILE = 64;

/** `partial`: split-K, workgroup layer z stores its partial sum in layer z of C (SPLITS × M × N). */
type Epilogue = { kind: 'bias-activation'; act: string } | { kind: 'bias' } | { kind: 'accumulate' } | { kind: 'partial' };

/**
 * C[M×N] = A[M×K]·B[K×N] with the epilogue applied to each element as it is stored. With
 * kPerSplit < K, workgroup layer z covers K from z·kPerSplit (a multiple of 16) only.
 */
export function gemmWgsl(m: number, n: number, k: number, epilogue: Epilogue, kPerSplit = Math.ceil(k / 16) * 16): string {
  const store = {
    'bias-activation': 'act(v + bias[col])',
    bias: 'v + bias[col]',
    accumulate: 'c[row * N + col] + v',
    partial: 'v',
  }[epilogue.kind];
  const at = epilogue.kind === 'partial' ? 'wg.z * M * N + row * N + col' : 'row * N + col';
  const decls: BindingDecl[] = [
    ['a', 'read', 'array<f32>'],
    ['b', 'read', 'array<f32>'],
  ];
  if (epilogue.kind !== 'accumulate' && epilogue.kind !== 'partial') decls.push(['bias', 'read', 'array<f32>']);
  decls.push(['c', 'read_write', 'array<f32>']);
  return `
const M = ${u32(m)};
const N = ${u32(n)};
const K = ${u32(k)};
const TILE = ${u32(TILE)};
const TK = 16u;
const KPS = ${u32(kPerSplit)};
${bindingDecls(decls)}
${epilogue.kind === 'bias-activation' ? epilogue.act : ''}
// [TK][TILE]: a tile stored k-major so each invocation reads its 4 rows as a run
var<workgroup> aTile: array<f32, 1024>;
var<workgroup> bTile: array<f32, 1024>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let row0 = wg.y * TILE;
  let col0 = wg.x * TILE;
  var acc: array<vec4f, 4>;
  let kEnd = min(K, (wg.z + 1u) * KPS);
  for (var k0 = wg.z * KPS; k0 < kEnd; k0 += TK) {
    for (var e = 0u; e < 4u; e++) {
      let idx = li + e * 256u;
      // A: consecutive invocations read consecutive k of one row
      let ar = idx / TK;
      let ak = idx % TK;
      var av = 0.0;
      if (row0 + ar < M && k0 + ak < kEnd) { av = a[(row0 + ar) * K + k0 + ak]; }
      aTile[ak * TILE + ar] = av;
      // B: consecutive invocations read consecutive columns of one row
      let bk = idx / TILE;
      let bc = idx % TILE;
      var bv = 0.0;
      if (k0 + bk < kEnd && col0 + bc < N) { bv = b[(k0 + bk) * N + col0 + bc]; }
      bTile[bk * TILE + bc] = bv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let ab = kk * TILE + lid.y * 4u;
      let bb = kk * TILE + lid.x * 4u;
      let bv = vec4f(bTile[bb], bTile[bb + 1u], bTile[bb + 2u], bTile[bb + 3u]);
      acc[0] += aTile[ab] * bv;
      acc[1] += aTile[ab + 1u] * bv;
      acc[2] += aTile[ab + 2u] * bv;
      acc[3] += aTile[ab + 3u] * bv;
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r++) {
    let row = row0 + lid.y * 4u + r;
    for (var q = 0u; q < 4u; q++) {
      let col = col0 + lid.x * 4u + q;
      if (row < M && col < N) {
        let v = acc[r][q];
        c[${at}] = ${store};
      }
    }
  }
}`;
}

/** Split-K step 2: Y = Σ_z partial[z] plus b2 (first hidden chunk) or plus Y (later chunks). */
function reduceWgsl(m: number, n: number, splits: number, first: boolean, gridX: number): string {
  return `
const MN = ${u32(m * n)};
const N = ${u32(n)};
const SPLITS = ${u32(splits)};
const GRID_X = ${u32(gridX)};
${bindingDecls(
  first
    ? [
        ['partial', 'read', 'array<f32>'],
        ['bias', 'read', 'array<f32>'],
        ['y', 'read_write', 'array<f32>'],
      ]
    : [
        ['partial', 'read', 'array<f32>'],
        ['y', 'read_write', 'array<f32>'],
      ],
)}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let idx = (wg.x + wg.y * GRID_X) * 256u + t;
  if (idx >= MN) { return; }
  var v = 0.0;
  for (var z = 0u; z < SPLITS; z++) { v += partial[z * MN + idx]; }
  y[idx] = ${first ? 'v + bias[idx % N]' : 'y[idx] + v'};
}`;
}

/** Aim for this many workgroups in the output GEMM, splitting K when its M × N tiles are fewer. */
const TARGET_WORKGROUPS = 256;
/** Each split covers at least this much of K (the partial sums cost one more pass over M × N). */
const MIN_SPLIT_K = 1024;

/**
 * K per split for the output GEMM. A narrow output (small batch, or o ≤ a few hundred) has few
 * 64 × 64 tiles; without splitting K, the long sum over the hidden layer would run on a handful
 * of workgroups and leave most of a GPU idle.
 */
export function splitK(m: number, n: number, k: number, maxBindingBytes: number): { splits: number; kPerSplit: number } {
  const tiles = Math.ceil(m / TILE) * Math.ceil(n / TILE);
  const byFloats = Math.floor(maxBindingBytes / 4 / (m * n));
  const wanted = Math.min(Math.ceil(TARGET_WORKGROUPS / tiles), Math.floor(k / MIN_SPLIT_K), 64, byFloats);
  if (wanted < 2) return { splits: 1, kPerSplit: Math.ceil(k / 16) * 16 };
  const kPerSplit = Math.ceil(k / wanted / 16) * 16;
  return { splits: Math.ceil(k / kPerSplit), kPerSplit };
}

/** Largest hidden chunk (a multiple of TILE, or all of W) whose W1, W2 and hidden slices each fit one binding. */
export function hiddenChunk(width: number, inputDim: number, outputDim: number, batch: number, maxBindingBytes: number): number {
  const floats = Math.floor(maxBindingBytes / 4);
  const fit = Math.floor(floats / Math.max(inputDim, outputDim, batch));
  if (fit >= width) return width;
  const chunk = Math.floor(fit / TILE) * TILE;
  if (chunk < 1) throw new CaseTooLarge(`one hidden unit's weights exceed the adapter's maxStorageBufferBindingSize of ${maxBindingBytes} bytes`);
  return chunk;
}

export async function prepareDense(gpu: Gpu, w: DenseWeights, batch: number): Promise<Kernel> {
  const { device } = gpu;
  const { inputDim: i, outputDim: o, activation } = w.shape;
  const width = w.width;
  const chunkWidth = hiddenChunk(width, i, o, batch, gpu.maxBindingBytes);
  const setup = await setUpKernel(gpu, 'dense', { input: batch * i * 4, output: batch * o * 4 }, async ({ x, y }, keep) => {
    const hidden = keep(storageBuffer(gpu, 'dense hidden', batch * chunkWidth * 4));
    const b2 = keep(storageBuffer(gpu, 'dense b2', w.b2));
    const pipelines = new Map<string, GPUComputePipeline>();
    const cached = async (key: string, code: () => string) => {
      let p = pipelines.get(key);
      if (!p) pipelines.set(key, (p = await computePipeline(device, `dense ${key}`, code())));
      return p;
    };
    const pipeline = (m: number, n: number, k: number, epilogue: Epilogue, kPerSplit?: number) =>
      cached(`gemm ${m}/${n}/${k}/${epilogue.kind}/${kPerSplit}`, () => gemmWgsl(m, n, k, epilogue, kPerSplit));
    const split = splitK(batch, o, chunkWidth, gpu.maxBindingBytes);
    const partial = split.splits > 1 ? keep(storageBuffer(gpu, 'dense split-K partial sums', split.splits * batch * o * 4)) : undefined;
    const reduceGrid = grid(Math.ceil((batch * o) / 256), device.limits.maxComputeWorkgroupsPerDimension);
    const passes: { pipeline: GPUComputePipeline; bindGroup: GPUBindGroup; groups: [number, number, number] }[] = [];
    for (let start = 0; start < width; start += chunkWidth) {
      const size = Math.min(chunkWidth, width - start);
      // W1's columns [start, start + size) as their own row-major i × size matrix
      const w1Chunk = new Float32Array(i * size);
      for (let r = 0; r < i; r++) w1Chunk.set(w.w1.subarray(r * width + start, r * width + start + size), r * size);
      const w1 = keep(storageBuffer(gpu, 'dense W1', w1Chunk));
      const b1 = keep(storageBuffer(gpu, 'dense b1', w.b1.slice(start, start + size)));
      const w2 = keep(storageBuffer(gpu, 'dense W2', w.w2.slice(start * o, (start + size) * o)));
      const first = start === 0;
      const hiddenPipeline = await pipeline(batch, size, i, { kind: 'bias-activation', act: activationWgsl(activation) });
      passes.push({
        pipeline: hiddenPipeline,
        bindGroup: bindBuffers(device, hiddenPipeline, [x, w1, b1, hidden]),
        groups: [Math.ceil(size / TILE), Math.ceil(batch / TILE), 1],
      });
      const outputTiles: [number, number] = [Math.ceil(o / TILE), Math.ceil(batch / TILE)];
      const { splits, kPerSplit } = size === chunkWidth ? split : splitK(batch, o, size, gpu.maxBindingBytes);
      if (partial && splits > 1) {
        const partialPipeline = await pipeline(batch, o, size, { kind: 'partial' }, kPerSplit);
        passes.push({ pipeline: partialPipeline, bindGroup: bindBuffers(device, partialPipeline, [hidden, w2, partial]), groups: [...outputTiles, splits] });
        const reduce = await cached(`reduce ${batch}/${o}/${splits}/${first}`, () => reduceWgsl(batch, o, splits, first, reduceGrid[0]));
        passes.push({ pipeline: reduce, bindGroup: bindBuffers(device, reduce, first ? [partial, b2, y] : [partial, y]), groups: [...reduceGrid, 1] });
      } else {
        const outputPipeline = await pipeline(batch, o, size, first ? { kind: 'bias' } : { kind: 'accumulate' });
        passes.push({
          pipeline: outputPipeline,
          bindGroup: bindBuffers(device, outputPipeline, first ? [hidden, w2, b2, y] : [hidden, w2, y]),
          groups: [...outputTiles, 1],
        });
      }
    }
    // thrown here, inside the setup, so that the buffers made so far are destroyed with it
    const maxGroups = device.limits.maxComputeWorkgroupsPerDimension;
    for (const p of passes) {
      if (p.groups[1] > maxGroups || p.groups[0] > maxGroups)
        throw new CaseTooLarge(`dense GEMM grid ${p.groups.join('×')} exceeds maxComputeWorkgroupsPerDimension ${maxGroups}`);
    }
    return passes;
  });
  return dispatchKernel(device, 'dense run', { ...setup.io, outputFloats: batch * o }, setup.built, setup.buffers);
}
