/**
 * FFF hard inference on WebGPU.
 *
 * Workgroups of 64 invocations. A tree walk is one workgroup per sample: at each level the
 * invocations split the node's dot product and reduce it in workgroup memory. A leaf FF runs
 * on a tile of G samples: the 64 invocations split each hidden unit's dot product over K
 * ("slices"), reduce, apply bias and activation, then each invocation owns some outputs.
 *
 * Two strategies, by batch and depth:
 * - ungrouped (few samples per leaf): one dispatch, walk and leaf fused, one sample per workgroup
 *   (G = 1; for depth 0 every sample shares the one leaf, so G = 8 consecutive samples).
 * - grouped (batch ≥ GROUP_PER_LEAF · leaves): three dispatches. Walk (one workgroup per sample,
 *   writes the leaf index), a counting sort by leaf (one workgroup, atomics), then the leaf FF
 *   on tiles of G = 8 consecutive samples of the sorted order. A tile's samples then share a
 *   leaf, and each leaf weight loaded feeds G multiply-adds instead of one.
 */
import { leafCount, nodeCount } from '../../model/shape.ts';
import type { FffWeights } from '../../model/weights.ts';
import type { Kernel } from '../types.ts';
import { bindBuffers, bindingDecls, computePipeline, dispatchKernel, grid, setUpKernel, storageBuffer, type BindingDecl, type Gpu } from './device.ts';
import { activationWgsl, u32 } from './wgsl.ts';

const WG = 64;
const TILE_SAMPLES = 8;
/** Group by leaf once the batch averages this many samples per leaf. */
export const GROUP_PER_LEAF = 4;

interface Layout {
  i: number;
  o: number;
  l: number;
  depth: number;
  batch: number;
  /** Samples per leaf-FF workgroup. */
  g: number;
  gridX: number;
}

function constants(c: Layout): string {
  const hc = Math.min(c.l, WG);
  return `
const I = ${u32(c.i)};
const O = ${u32(c.o)};
const L = ${u32(c.l)};
const DEPTH = ${u32(c.depth)};
const LEAVES = ${u32(leafCount(c.depth))};
const BATCH = ${u32(c.batch)};
const G = ${u32(c.g)};
const GRID_X = ${u32(c.gridX)};
const WG = ${u32(WG)};
const HC = ${u32(hc)};       // hidden units per round (≤ WG)
const S = ${u32(Math.floor(WG / hc))}; // invocations sharing one hidden unit's dot product`;
}

/** fn walk(s, t) -> leaf: needs bindings x and nodes (rows of i weights then the bias). */
const WALK_FN = `
var<workgroup> red: array<f32, WG>;
fn walk(s: u32, t: u32) -> u32 {
  var node = 0u;
  for (var level = 0u; level < DEPTH; level++) {
    let row = node * (I + 1u);
    var part = 0.0;
    for (var k = t; k < I; k += WG) { part += x[s * I + k] * nodes[row + k]; }
    red[t] = part;
    workgroupBarrier();
    for (var span = WG / 2u; span > 0u; span >>= 1u) {
      if (t < span) { red[t] += red[t + span]; }
      workgroupBarrier();
    }
    let score = red[0] + nodes[row + I];
    workgroupBarrier();
    node = 2u * node + select(1u, 2u, score >= 0.0);
  }
  return node - (LEAVES - 1u);
}`;

/** The leaf FF of the tile's samples smp[g] (leaves lf[g]); `tile` is the workgroup's index. */
const LEAF_BODY = `
  var same = true;
  for (var g = 1u; g < G; g++) { same = same && lf[g] == lf[0]; }
  let j = t % HC;
  let slice = t / HC;
  for (var j0 = 0u; j0 < L; j0 += HC) {
    let jn = min(HC, L - j0);
    // layer 1: invocation (j, slice) sums k ≡ slice (mod S) of hidden unit j0 + j
    // zeroed explicitly: a loop-local var is not reliably re-zeroed per iteration (seen on Dawn + lavapipe)
    var acc: array<f32, G>;
    for (var g = 0u; g < G; g++) { acc[g] = 0.0; }
    if (slice < S && j < jn) {
      for (var k = slice; k < I; k += S) {
        if (same) {
          let wv = w1[(lf[0] * I + k) * L + j0 + j];
          for (var g = 0u; g < G; g++) { acc[g] += x[smp[g] * I + k] * wv; }
        } else {
          for (var g = 0u; g < G; g++) { acc[g] += x[smp[g] * I + k] * w1[(lf[g] * I + k) * L + j0 + j]; }
        }
      }
    }
    for (var g = 0u; g < G; g++) { part[g * WG + t] = acc[g]; }
    workgroupBarrier();
    for (var p = t; p < G * HC; p += WG) {
      let g = p / HC;
      let jj = p % HC;
      if (jj < jn) {
        var sum = b1[lf[g] * L + j0 + jj];
        for (var sl = 0u; sl < S; sl++) { sum += part[g * WG + sl * HC + jj]; }
        hid[p] = act(sum);
      }
    }
    workgroupBarrier();
    // layer 2: invocation t owns outputs c ≡ t (mod WG); later rounds of hidden units accumulate into y
    for (var c = t; c < O; c += WG) {
      for (var g = 0u; g < G; g++) {
        if (tile * G + g < BATCH) {
          let s = smp[g];
          var sum = select(y[s * O + c], b2[lf[g] * O + c], j0 == 0u);
          for (var jj = 0u; jj < jn; jj++) { sum += hid[g * HC + jj] * w2[(lf[g] * L + j0 + jj) * O + c]; }
          y[s * O + c] = sum;
        }
      }
    }
    workgroupBarrier();
  }`;

const LEAF_WORKGROUP_VARS = `
var<workgroup> part: array<f32, G * WG>;
var<workgroup> hid: array<f32, G * HC>;`;

/** Walk and leaf in one dispatch; samples tile·G … tile·G + G − 1 in batch order. */
function fusedWgsl(c: Layout, act: string): string {
  const walk = c.depth > 0;
  const decls: BindingDecl[] = [['x', 'read', 'array<f32>']];
  if (walk) decls.push(['nodes', 'read', 'array<f32>']);
  decls.push(
    ['w1', 'read', 'array<f32>'],
    ['b1', 'read', 'array<f32>'],
    ['w2', 'read', 'array<f32>'],
    ['b2', 'read', 'array<f32>'],
    ['y', 'read_write', 'array<f32>'],
  );
  return `${constants(c)}
${bindingDecls(decls)}
${act}
${walk ? WALK_FN : ''}
${LEAF_WORKGROUP_VARS}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let tile = wg.x + wg.y * GRID_X;
  if (tile * G >= BATCH) { return; }
  var smp: array<u32, G>;
  var lf: array<u32, G>;
  for (var g = 0u; g < G; g++) {
    smp[g] = min(tile * G + g, BATCH - 1u);
    ${walk ? 'lf[g] = walk(smp[g], t);' : 'lf[g] = 0u;'}
  }
  ${LEAF_BODY}
}`;
}

/** Grouped step 1: route[s] = the leaf sample s reaches. */
function walkWgsl(c: Layout): string {
  return `${constants(c)}
${bindingDecls([
  ['x', 'read', 'array<f32>'],
  ['nodes', 'read', 'array<f32>'],
  ['route', 'read_write', 'array<u32>'],
])}
${WALK_FN}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let s = wg.x + wg.y * GRID_X;
  if (s >= BATCH) { return; }
  let leaf = walk(s, t);
  if (t == 0u) { route[s] = leaf; }
}`;
}

/** Grouped step 2 (one workgroup): counting sort, route[BATCH + n] = the n-th sample in leaf order. */
function sortWgsl(c: Layout): string {
  const leaves = leafCount(c.depth);
  return `${constants(c)}
const PER = ${u32(Math.ceil(leaves / 256))};
${bindingDecls([
  ['route', 'read_write', 'array<u32>'],
  ['counts', 'read_write', 'array<atomic<u32>>'],
])}
var<workgroup> sums: array<u32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) t: u32) {
  for (var l = t; l < LEAVES; l += 256u) { atomicStore(&counts[l], 0u); }
  storageBarrier();
  for (var s = t; s < BATCH; s += 256u) { atomicAdd(&counts[route[s]], 1u); }
  storageBarrier();
  // exclusive prefix sum of the counts: invocation t owns leaves [t·PER, t·PER + PER)
  let lo = min(t * PER, LEAVES);
  let hi = min(lo + PER, LEAVES);
  var total = 0u;
  for (var l = lo; l < hi; l++) { total += atomicLoad(&counts[l]); }
  sums[t] = total;
  workgroupBarrier();
  if (t == 0u) {
    var running = 0u;
    for (var q = 0u; q < 256u; q++) { let v = sums[q]; sums[q] = running; running += v; }
  }
  workgroupBarrier();
  var offset = sums[t];
  for (var l = lo; l < hi; l++) { let n = atomicLoad(&counts[l]); atomicStore(&counts[l], offset); offset += n; }
  storageBarrier();
  for (var s = t; s < BATCH; s += 256u) { route[BATCH + atomicAdd(&counts[route[s]], 1u)] = s; }
}`;
}

/** Grouped step 3: the leaf FF on tiles of G samples in leaf order. */
function groupedLeafWgsl(c: Layout, act: string): string {
  return `${constants(c)}
${bindingDecls([
  ['x', 'read', 'array<f32>'],
  ['route', 'read', 'array<u32>'],
  ['w1', 'read', 'array<f32>'],
  ['b1', 'read', 'array<f32>'],
  ['w2', 'read', 'array<f32>'],
  ['b2', 'read', 'array<f32>'],
  ['y', 'read_write', 'array<f32>'],
])}
${act}
${LEAF_WORKGROUP_VARS}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let tile = wg.x + wg.y * GRID_X;
  if (tile * G >= BATCH) { return; }
  var smp: array<u32, G>;
  var lf: array<u32, G>;
  for (var g = 0u; g < G; g++) {
    smp[g] = route[BATCH + min(tile * G + g, BATCH - 1u)];
    lf[g] = route[smp[g]];
  }
  ${LEAF_BODY}
}`;
}

/** Node rows with their bias appended: node k is i weights then its bias, stride i + 1. */
function packNodes(w: FffWeights): Float32Array {
  const i = w.shape.inputDim;
  const nodes = nodeCount(w.shape.depth);
  const packed = new Float32Array(nodes * (i + 1));
  for (let k = 0; k < nodes; k++) {
    packed.set(w.nodeWeights.subarray(k * i, (k + 1) * i), k * (i + 1));
    packed[k * (i + 1) + i] = w.nodeBias[k];
  }
  return packed;
}

export function usesGrouping(depth: number, batch: number): boolean {
  return depth > 0 && batch >= GROUP_PER_LEAF * leafCount(depth);
}

export async function prepareFff(gpu: Gpu, w: FffWeights, batch: number): Promise<Kernel> {
  const { device } = gpu;
  const { inputDim: i, outputDim: o, depth, leafWidth: l, activation } = w.shape;
  const grouped = usesGrouping(depth, batch);
  const g = grouped || depth === 0 ? TILE_SAMPLES : 1;
  const maxPerDim = device.limits.maxComputeWorkgroupsPerDimension;
  const sampleGrid = grid(batch, maxPerDim);
  const tileGrid = grid(Math.ceil(batch / g), maxPerDim);
  const act = activationWgsl(activation);
  const setup = await setUpKernel(gpu, 'fff', { input: batch * i * 4, output: batch * o * 4 }, async ({ x, y }, keep) => {
    const w1 = keep(storageBuffer(gpu, 'fff leaf W1', w.leafW1));
    const b1 = keep(storageBuffer(gpu, 'fff leaf b1', w.leafB1));
    const w2 = keep(storageBuffer(gpu, 'fff leaf W2', w.leafW2));
    const b2 = keep(storageBuffer(gpu, 'fff leaf b2', w.leafB2));
    const nodes = depth > 0 ? keep(storageBuffer(gpu, 'fff nodes', packNodes(w))) : undefined;
    const steps: { pipeline: GPUComputePipeline; bindGroup: GPUBindGroup; groups: [number, number] }[] = [];
    if (!grouped) {
      const layout: Layout = { i, o, l, depth, batch, g, gridX: tileGrid[0] };
      const pipeline = await computePipeline(device, 'fff walk+leaf', fusedWgsl(layout, act));
      const bound = nodes ? [x, nodes, w1, b1, w2, b2, y] : [x, w1, b1, w2, b2, y];
      steps.push({ pipeline, bindGroup: bindBuffers(device, pipeline, bound), groups: tileGrid });
    } else {
      const route = keep(storageBuffer(gpu, 'fff route', 2 * batch * 4));
      const counts = keep(storageBuffer(gpu, 'fff leaf counts', leafCount(depth) * 4));
      const walk = await computePipeline(device, 'fff walk', walkWgsl({ i, o, l, depth, batch, g, gridX: sampleGrid[0] }));
      const sort = await computePipeline(device, 'fff sort', sortWgsl({ i, o, l, depth, batch, g, gridX: 1 }));
      const leaf = await computePipeline(device, 'fff leaf', groupedLeafWgsl({ i, o, l, depth, batch, g, gridX: tileGrid[0] }, act));
      steps.push({ pipeline: walk, bindGroup: bindBuffers(device, walk, [x, nodes!, route]), groups: sampleGrid });
      steps.push({ pipeline: sort, bindGroup: bindBuffers(device, sort, [route, counts]), groups: [1, 1] });
      steps.push({ pipeline: leaf, bindGroup: bindBuffers(device, leaf, [x, route, w1, b1, w2, b2, y]), groups: tileGrid });
    }
    return steps;
  });
  return dispatchKernel(device, 'fff run', { ...setup.io, outputFloats: batch * o }, setup.built, setup.buffers);
}
