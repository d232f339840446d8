/**
 * UltraFastBERT's tree (model 'ufb', see model/weights.ts) on WebGPU: one dispatch, one workgroup
 * of 64 invocations per sample walking the D + 1 levels. At each level the invocations split the
 * node's dot product a = nodeIn[node]·x over the input (strided, so neighbours read neighbouring
 * floats) and reduce it in workgroup memory; every invocation then reads the same a, adds
 * act(a)·nodeOut[node] to the outputs it owns (c ≡ t mod 64, held in registers across the levels)
 * and steps to the same child, 2·node + 1 + (a ≥ 0). The sample's outputs are written once, at the end.
 *
 * Samples are not grouped by node, as the FFF's are by leaf (fff.ts): that would take a sort per
 * level, and the rows many samples share are the upper levels' few, which stay in the GPU's caches.
 */
import { ufbNodeCount } from '../../model/shape.ts';
import type { UfbWeights } from '../../model/weights.ts';
import type { Kernel } from '../types.ts';
import { bindBuffers, bindingDecls, computePipeline, dispatchKernel, grid, setUpKernel, storageBuffer, type Gpu } from './device.ts';
import { activationWgsl, u32 } from './wgsl.ts';

const WG = 64;

export const UFB_STRATEGY = `WGSL: one dispatch, a workgroup of ${WG} per sample walks the levels (dot product split over the workgroup, reduced in workgroup memory; outputs accumulated in registers)`;

export function ufbWgsl(shape: { i: number; o: number; levels: number; batch: number; gridX: number }, act: string): string {
  const { i, o, levels, batch, gridX } = shape;
  return `
const I = ${u32(i)};
const O = ${u32(o)};
const LEVELS = ${u32(levels)};
const BATCH = ${u32(batch)};
const GRID_X = ${u32(gridX)};
const WG = ${u32(WG)};
const PER = ${u32(Math.ceil(o / WG))}; // outputs each invocation owns
${bindingDecls([
  ['x', 'read', 'array<f32>'],
  ['nodeIn', 'read', 'array<f32>'],
  ['nodeOut', 'read', 'array<f32>'],
  ['y', 'read_write', 'array<f32>'],
])}
${act}
var<workgroup> red: array<f32, WG>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let s = wg.x + wg.y * GRID_X;
  if (s >= BATCH) { return; } // the whole workgroup leaves: the barriers below stay uniform
  // zeroed explicitly: a function-scope var is not reliably zeroed on every driver (seen on Dawn + lavapipe)
  var acc: array<f32, PER>;
  for (var q = 0u; q < PER; q++) { acc[q] = 0.0; }
  var node = 0u;
  for (var level = 0u; level < LEVELS; level++) {
    var part = 0.0;
    for (var k = t; k < I; k += WG) { part += x[s * I + k] * nodeIn[node * I + k]; }
    red[t] = part;
    workgroupBarrier();
    for (var span = WG / 2u; span > 0u; span >>= 1u) {
      if (t < span) { red[t] += red[t + span]; }
      workgroupBarrier();
    }
    let a = red[0];
    workgroupBarrier(); // everyone has read red[0] before the next level overwrites it
    let h = act(a);
    for (var q = 0u; q < PER; q++) {
      let c = t + q * WG;
      if (c < O) { acc[q] += h * nodeOut[node * O + c]; }
    }
    node = 2u * node + select(1u, 2u, a >= 0.0);
  }
  for (var q = 0u; q < PER; q++) {
    let c = t + q * WG;
    if (c < O) { y[s * O + c] = acc[q]; }
  }
}`;
}

export async function prepareUfb(gpu: Gpu, w: UfbWeights, batch: number): Promise<Kernel> {
  const { device } = gpu;
  const { inputDim: i, outputDim: o, depth, activation } = w.shape;
  const groups = grid(batch, device.limits.maxComputeWorkgroupsPerDimension);
  const setup = await setUpKernel(gpu, 'ufb', { input: batch * i * 4, output: batch * o * 4 }, async ({ x, y }, keep) => {
    const nodeIn = keep(storageBuffer(gpu, `ufb node input rows (${ufbNodeCount(depth)} × ${i})`, w.nodeIn));
    const nodeOut = keep(storageBuffer(gpu, `ufb node output rows (${ufbNodeCount(depth)} × ${o})`, w.nodeOut));
    const code = ufbWgsl({ i, o, levels: depth + 1, batch, gridX: groups[0] }, activationWgsl(activation));
    const pipeline = await computePipeline(device, 'ufb walk', code);
    return { pipeline, bindGroup: bindBuffers(device, pipeline, [x, nodeIn, nodeOut, y]), groups };
  });
  return dispatchKernel(device, 'ufb run', { ...setup.io, outputFloats: batch * o }, [setup.built], setup.buffers);
}
