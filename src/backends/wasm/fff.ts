/**
 * FFF hard inference on the wasm kernels (kernels/tree.wat), one memory:
 *
 * 1. the input is copied into the memory chunk by chunk, and each chunk's samples walk the tree's
 *    top levels while the chunk is in cache (tree_walk: the bucket each reaches);
 * 2. the batch is sorted by bucket (counting sort, O(batch)), and fff_route walks every sample the
 *    rest of the way in that order, so a subtree's node rows are read from memory once and stay in
 *    cache while its samples pass (fff-layout.ts: CHUNK_BYTES, TOP_TREE_BYTES);
 * 3. leaves narrower than a GEMM panel (ℓ < 8) run inside that same call, sample by sample while
 *    its row is in cache: one dot product per hidden unit against W1 stored transposed, nothing
 *    padded, no call per leaf — and each leaf's weights, met only by the samples of its subtree,
 *    are read from memory once. Wider leaves: samples grouped by leaf (counting sort), each visited
 *    leaf's FF once over its group through the packed GEMM, addressing the group's rows in place.
 *
 * Shards: one wasm32 memory stops at 4 GiB (MAX_MEMORY_BYTES). When the packed leaves do not fit
 * one memory with the tree and the batch buffers, they are split into shards — contiguous leaf
 * ranges, each in its own WebAssembly.Memory with its own instance of the same compiled module
 * (the compiled code is shared) and its own input, output and row-table regions. Shard 0 is laid
 * out as the single memory is (node weights, tree walk, the batch's output) with as many leaves as
 * fit. A run walks the tree in shard 0 (the same two phases) and groups the samples by leaf there, copies the rows
 * routed to another shard's leaves into that shard (only those rows, in sorted order, so its row
 * tables are fixed), runs the same leaf kernels there and copies the output rows back into shard
 * 0's output: run() leaves the whole batch's output in one place, as the single memory does, and
 * every sample is computed by the same instructions as there (bit-identical outputs).
 */
import type { LayerShape } from '../../model/shape.ts';
import type { FffWeights } from '../../model/weights.ts';
import type { Kernel } from '../types.ts';
import { describe, dims, DESC_BYTES, fillLeaves, planLeafShards, writeDescriptor, type Dims, type LeafRegions, type ShardPlan } from './fff-layout.ts';
import { LeafGroups } from './leaf-groups.ts';
import { activationMode, Arena, fillRowTable, instantiate, MAX_MEMORY_BYTES, MODE, PANEL, readRows, type KernelExports } from './layout.ts';

export type { ShardPlan } from './fff-layout.ts';

export interface FffOptions {
  /**
   * The most bytes one memory's regions may take (the memory is that rounded up to 64 KiB pages);
   * leaves beyond it go to further shards. MAX_MEMORY_BYTES by default, and never more.
   */
  maxMemoryBytes?: number;
}

export interface FffKernel extends Kernel {
  /** How many memories (instances) the leaves are split across: 1 when everything fits one. */
  readonly shards: number;
}

/** Byte addresses of one shard's regions (the tree's and leaves' from LeafRegions); the tree's are 0 outside shard 0, the GEMM's 0 for small leaves. */
interface ShardLayout extends LeafRegions {
  arena: Arena;
  x: number;
  y: number;
  hidden: number;
  xRows: number;
  yRows: number;
  hRows: number;
  leafOf: number;
  order: number;
  desc: number;
}

/** The regions of a shard holding `leaves` leaves, and the tree when `tree` (shard 0; the single memory). */
function layoutShard(d: Dims, leaves: number, tree: boolean): ShardLayout {
  const { i, lPad, oPad, batch } = d;
  const gemm = !d.small;
  const arena = new Arena();
  const x = arena.alloc('input', batch * i * 4);
  const y = arena.alloc('output', batch * oPad * 4);
  const hidden = gemm ? arena.alloc('hidden', batch * lPad * 4) : 0;
  const xRows = gemm ? arena.alloc('row tables', batch * 4) : 0;
  const yRows = gemm ? arena.alloc('row tables', batch * 4) : 0;
  const hRows = gemm ? arena.alloc('row tables', batch * 4) : 0;
  const leafOf = arena.alloc('leaf of sample', batch * 4);
  const nodeW = tree ? arena.alloc('node weights', d.nodes * i * 4) : 0;
  const nodeB = tree ? arena.alloc('node biases', d.nodes * 4) : 0;
  const w1 = arena.alloc(gemm ? 'packed leaf W1' : 'leaf W1 (transposed)', leaves * d.w1Bytes);
  const b1 = arena.alloc('leaf b1', leaves * lPad * 4);
  const w2 = arena.alloc(gemm ? 'packed leaf W2' : 'leaf W2', leaves * d.w2Bytes);
  const b2 = arena.alloc('leaf b2', leaves * oPad * 4);
  // Last, so the large regions keep the offsets they had before these were added (in one
  // measurement ℓ = 32, d = 8, batch 256 ran 1.24x slower with them before the node weights; the
  // effect varied between runs).
  const order = arena.alloc('sorted order', batch * 4);
  const desc = arena.alloc('descriptor', DESC_BYTES);
  return { arena, x, y, hidden, xRows, yRows, hRows, leafOf, order, desc, nodeW, nodeB, w1, b1, w2, b2 };
}

/** Bytes of a shard's regions with `leaves` leaves, and the tree when `tree` (shard 0). */
export function shardBytes(shape: LayerShape, batch: number, leaves: number, tree: boolean): number {
  return layoutShard(dims(shape, batch), leaves, tree).arena.size;
}

/**
 * How the leaves are split across memories of at most `maxMemoryBytes` (capped at
 * MAX_MEMORY_BYTES); see planLeafShards.
 */
export function planShards(shape: LayerShape, batch: number, maxMemoryBytes = MAX_MEMORY_BYTES): ShardPlan[] {
  const d = dims(shape, batch);
  return planLeafShards(d, (leaves, tree) => layoutShard(d, leaves, tree).arena.size, maxMemoryBytes, 'wasm', describe(shape, batch));
}

/** A shard's memory, kernels and regions. */
interface Shard extends ShardLayout {
  kernels: KernelExports;
  f32: Float32Array;
  i32: Int32Array;
  u32: Uint32Array;
  first: number;
}

function createShard(module: WebAssembly.Module, d: Dims, w: FffWeights, plan: ShardPlan[], k: number, what: string): Shard & { memory: WebAssembly.Memory } {
  const { first, count } = plan[k];
  const lay = layoutShard(d, count, k === 0);
  const memory = lay.arena.createMemory(plan.length === 1 ? what : `${what}, shard ${k + 1} of ${plan.length} (leaves ${first} to ${first + count - 1})`);
  const { kernels, f32, u32 } = instantiate(module, memory);
  const i32 = new Int32Array(memory.buffer);
  fillLeaves(f32, lay, d, w, first, count, k === 0);
  const { i, oPad, lPad, batch } = d;
  writeDescriptor(i32, lay.desc, {
    x: lay.x,
    i,
    nodes: lay.nodeW,
    nodeBias: lay.nodeB,
    top: d.top,
    depth: d.depth,
    leafOf: lay.leafOf,
    order: lay.order,
    y: lay.y,
    oPad,
    l: d.l,
    w1: lay.w1,
    b1: lay.b1,
    w2: lay.w2,
    b2: lay.b2,
    act: activationMode(w.shape.activation),
  });
  // Until a run sorts them, positions are the samples in batch order; in shards past the first
  // they stay so: rows are gathered there in sorted order, position n in row n, for good.
  for (let n = 0; n < batch; n++) i32[lay.order / 4 + n] = n;
  if (!d.small) {
    fillRowTable(u32, lay.hRows, batch, lay.hidden, lPad * 4);
    if (k > 0) {
      fillRowTable(u32, lay.xRows, batch, lay.x, i * 4);
      fillRowTable(u32, lay.yRows, batch, lay.y, oPad * 4);
    }
  }
  return { ...lay, kernels, f32, i32, u32, memory, first };
}

export function prepareFff(module: WebAssembly.Module, w: FffWeights, batch: number, options: FffOptions = {}): FffKernel {
  const d = dims(w.shape, batch);
  const plan = planShards(w.shape, batch, options.maxMemoryBytes);
  const what = describe(w.shape, batch);
  if (plan.length === 1) return singleMemory(createShard(module, d, w, plan, 0, what), d, w.shape);
  const shards = plan.map((_, k) => createShard(module, d, w, plan, k, what));
  return sharded(shards, plan, d, w.shape);
}

/** Runs leaf group g's FF in shard t (its rows already there): the small-leaf kernel or the two GEMMs. */
function runGroup(t: Shard, d: Dims, act: number, leaf: number, at: number, rows: number): void {
  if (d.small) {
    t.kernels.fff_leaves(t.desc, at, at + rows);
    return;
  }
  t.kernels.gemm(t.xRows + at * 4, rows, d.i, t.w1 + leaf * d.w1Bytes, d.lPad / PANEL, t.b1 + leaf * d.lPad * 4, t.hRows, act);
  t.kernels.gemm(t.hRows, rows, d.l, t.w2 + leaf * d.w2Bytes, d.oPad / PANEL, t.b2 + leaf * d.oPad * 4, t.yRows + at * 4, MODE.bias);
}

/** Everything in one memory: the two-phase walk, then the leaves (see the top of this file). */
function singleMemory(s: Shard & { memory: WebAssembly.Memory }, d: Dims, shape: LayerShape): FffKernel {
  const { kernels, f32, u32, memory, x, y, xRows, yRows, leafOf, nodeW, nodeB, desc } = s;
  const { i, o, oPad, batch, top, depth, chunkRows } = d;
  const act = activationMode(shape.activation);
  const leafView = new Int32Array(memory.buffer, leafOf, batch);
  const buckets = new LeafGroups(2 ** top, batch, new Int32Array(memory.buffer, s.order, batch));
  const grouping = new LeafGroups(d.leaves, batch);
  const { visited, start, size, order } = grouping;

  return {
    shards: 1,
    run(input) {
      for (let r = 0; r < batch; r += chunkRows) {
        const rows = Math.min(chunkRows, batch - r);
        f32.set(input.subarray(r * i, (r + rows) * i), x / 4 + r * i);
        kernels.tree_walk(x + r * i * 4, rows, i, nodeW, nodeB, top, leafOf + r * 4);
      }
      if (top < depth) buckets.group(leafView, batch);
      if (d.small) {
        kernels.fff_route(desc, 0, batch, 1);
        return;
      }
      if (top < depth) kernels.fff_route(desc, 0, batch, 0);
      const groups = grouping.group(leafView, batch);
      for (let n = 0; n < batch; n++) {
        const sample = order[n];
        u32[xRows / 4 + n] = x + sample * i * 4;
        u32[yRows / 4 + n] = y + sample * oPad * 4;
      }
      for (let g = 0; g < groups; g++) runGroup(s, d, act, visited[g], start[g], size[g]);
    },
    output: () => readRows(f32, y, batch, o, oPad),
    dispose() {},
  };
}

/** Leaves split across several memories (see the top of this file). */
function sharded(all: (Shard & { memory: WebAssembly.Memory })[], plan: ShardPlan[], d: Dims, shape: LayerShape): FffKernel {
  const { kernels, f32, u32, memory, x, y, xRows, yRows, leafOf, nodeW, nodeB, desc } = all[0];
  const { i, o, oPad, leaves, batch, depth, top } = d;
  const act = activationMode(shape.activation);
  // Shard 0 holds leaves 0 .. inFirst − 1; every later one perShard leaves (the last maybe fewer).
  const inFirst = plan[0].count;
  const perShard = plan[1].count;
  const shardOf = (leaf: number) => (leaf < inFirst ? 0 : 1 + (((leaf - inFirst) / perShard) | 0));
  let shards: Shard[] = all;

  const leafView = new Int32Array(memory.buffer, leafOf, batch);
  // Shard 0's sorted orders (by bucket for fff_route, then by leaf for fff_leaves) live in its
  // memory, where the kernels read them.
  const orderView = new Int32Array(memory.buffer, all[0].order, batch);
  const buckets = new LeafGroups(2 ** top, batch, orderView);
  const grouping = new LeafGroups(leaves, batch, orderView);
  const { visited, start, size, order } = grouping;

  return {
    shards: plan.length,
    run(input) {
      f32.set(input, x / 4);
      kernels.tree_walk(x, batch, i, nodeW, nodeB, top, leafOf);
      if (top < depth) {
        buckets.group(leafView, batch);
        kernels.fff_route(desc, 0, batch, 0);
      }
      const groups = grouping.group(leafView, batch);
      for (let n = 0; n < batch; n++) {
        const sample = order[n];
        const leaf = leafView[sample];
        const k = shardOf(leaf);
        if (k === 0) {
          if (!d.small) {
            u32[xRows / 4 + n] = x + sample * i * 4;
            u32[yRows / 4 + n] = y + sample * oPad * 4;
          }
        } else {
          const t = shards[k];
          t.f32.set(input.subarray(sample * i, sample * i + i), t.x / 4 + n * i);
          t.i32[t.leafOf / 4 + n] = leaf - t.first;
        }
      }
      for (let g = 0; g < groups; g++) {
        const leaf = visited[g];
        const rows = size[g];
        const at = start[g];
        const k = shardOf(leaf);
        const t = shards[k];
        runGroup(t, d, act, leaf - t.first, at, rows);
        if (k !== 0) {
          for (let n = at; n < at + rows; n++) {
            const from = t.y / 4 + n * oPad;
            f32.set(t.f32.subarray(from, from + o), y / 4 + order[n] * oPad);
          }
        }
      }
    },
    output: () => readRows(f32, y, batch, o, oPad),
    dispose() {
      // Only shard 0 stays reachable through run's views; the other memories can go now.
      shards = [];
    },
  };
}
