/**
 * FFF hard inference on the wasm kernels: every sample walks the tree (SIMD dot products against
 * node rows, in wasm), samples are grouped by leaf (counting sort over the batch), then each
 * visited leaf's FF runs once over its group with the packed GEMM — so a leaf's weights are read
 * once per batch. The group's rows are passed as row-address tables: no gather or scatter copies.
 *
 * Shards: one wasm32 memory stops at 4 GiB (MAX_MEMORY_BYTES). When the packed leaves do not fit
 * one memory with the tree and the batch buffers, they are split into shards — contiguous leaf
 * ranges, each in its own WebAssembly.Memory with its own instance of the same compiled module
 * (the compiled code is shared) and its own input, hidden, output and row-table regions. Shard 0
 * is laid out as the single memory is (node weights, tree walk, the batch's output) with as many
 * leaves as fit. A run walks the tree and sorts in shard 0, copies the rows routed to another
 * shard's leaves into that shard (only those rows, in sorted order, so its row tables are fixed),
 * runs the same GEMMs there and copies the output rows back into shard 0's output: run() leaves
 * the whole batch's output in one place, as the single memory does.
 */
import { leafCount, nodeCount, type LayerShape } from '../../model/shape.ts';
import type { FffWeights } from '../../model/weights.ts';
import { CaseTooLarge, type Kernel } from '../types.ts';
import { LeafGroups } from './leaf-groups.ts';
import { activationMode, Arena, fillRowTable, instantiate, MAX_MEMORY_BYTES, mib, MODE, PANEL, packPanels, readRows, roundUp, type KernelExports } from './layout.ts';

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

/** A shard: leaves first .. first + count − 1. */
export interface ShardPlan {
  first: number;
  count: number;
}

/** The FFF's sizes as the memories lay them out (wasm-mt adds its thread count). */
export interface Dims {
  i: number;
  o: number;
  l: number;
  lPad: number;
  oPad: number;
  /** One leaf's packed W1 and W2, in bytes. */
  w1Bytes: number;
  w2Bytes: number;
  leaves: number;
  nodes: number;
  batch: number;
}

export function dims(shape: LayerShape, batch: number): Dims {
  const { inputDim: i, outputDim: o, depth, leafWidth: l } = shape;
  const lPad = roundUp(l, PANEL);
  const oPad = roundUp(o, PANEL);
  return { i, o, l, lPad, oPad, w1Bytes: i * lPad * 4, w2Bytes: l * oPad * 4, leaves: leafCount(depth), nodes: nodeCount(depth), batch };
}

/** Byte addresses of one shard's regions; the tree's are 0 outside shard 0. */
interface ShardLayout {
  arena: Arena;
  x: number;
  y: number;
  hidden: number;
  xRows: number;
  yRows: number;
  hRows: number;
  leafOf: number;
  nodeW: number;
  nodeB: number;
  w1: number;
  b1: number;
  w2: number;
  b2: number;
}

/** The regions of a shard holding `leaves` leaves, and the tree when `tree` (shard 0; the single memory). */
function layoutShard(d: Dims, leaves: number, tree: boolean): ShardLayout {
  const { i, lPad, oPad, batch } = d;
  const arena = new Arena();
  const x = arena.alloc('input', batch * i * 4);
  const y = arena.alloc('output', batch * oPad * 4);
  const hidden = arena.alloc('hidden', batch * lPad * 4);
  const xRows = arena.alloc('row tables', batch * 4);
  const yRows = arena.alloc('row tables', batch * 4);
  const hRows = arena.alloc('row tables', batch * 4);
  const leafOf = tree ? arena.alloc('leaf of sample', batch * 4) : 0;
  const nodeW = tree ? arena.alloc('node weights', d.nodes * i * 4) : 0;
  const nodeB = tree ? arena.alloc('node biases', d.nodes * 4) : 0;
  const w1 = arena.alloc('packed leaf W1', leaves * d.w1Bytes);
  const b1 = arena.alloc('leaf b1', leaves * lPad * 4);
  const w2 = arena.alloc('packed leaf W2', leaves * d.w2Bytes);
  const b2 = arena.alloc('leaf b2', leaves * oPad * 4);
  return { arena, x, y, hidden, xRows, yRows, hRows, leafOf, nodeW, nodeB, w1, b1, w2, b2 };
}

/** Bytes of a shard's regions with `leaves` leaves, and the tree when `tree` (shard 0). */
export function shardBytes(shape: LayerShape, batch: number, leaves: number, tree: boolean): number {
  return layoutShard(dims(shape, batch), leaves, tree).arena.size;
}

/** The most leaves (up to all) a shard holds within `limit` bytes; −1 when not even its buffers fit. */
function capacity(d: Dims, tree: boolean, limit: number): number {
  const bytes = (n: number) => layoutShard(d, n, tree).arena.size;
  const base = bytes(0);
  if (base > limit) return -1;
  const perLeaf = d.w1Bytes + d.w2Bytes + (d.lPad + d.oPad) * 4;
  let n = Math.min(d.leaves, Math.floor((limit - base) / perLeaf));
  while (n > 0 && bytes(n) > limit) n--; // region alignment
  while (n < d.leaves && bytes(n + 1) <= limit) n++;
  return n;
}

function describe(shape: LayerShape, batch: number): string {
  return `FFF i=${shape.inputDim} o=${shape.outputDim} depth=${shape.depth} leaf=${shape.leafWidth} batch=${batch}`;
}

/**
 * How the leaves are split across memories of at most `maxMemoryBytes` (capped at
 * MAX_MEMORY_BYTES): one shard when everything fits one memory, else shard 0 with the tree and
 * as many leaves as fit (perhaps none), then full shards of leaves. Throws CaseTooLarge when the
 * tree and the batch buffers, or one leaf with the batch buffers, do not fit one memory.
 */
export function planShards(shape: LayerShape, batch: number, maxMemoryBytes = MAX_MEMORY_BYTES): ShardPlan[] {
  const d = dims(shape, batch);
  const limit = Math.min(maxMemoryBytes, MAX_MEMORY_BYTES);
  const whole = layoutShard(d, d.leaves, true).arena.size;
  if (whole <= limit) return [{ first: 0, count: d.leaves }];
  const over = `over the ${mib(limit)} one wasm memory may hold here`;
  const first = capacity(d, true, limit);
  if (first < 0) {
    const tree = layoutShard(d, 0, true).arena.size;
    throw new CaseTooLarge(`wasm backend: ${describe(shape, batch)}: the tree's node weights (${mib(d.nodes * d.i * 4)}) with the batch buffers need ${mib(tree)}, ${over}; only leaves can be split across memories`);
  }
  const perShard = capacity(d, false, limit);
  if (perShard < 1) {
    const one = layoutShard(d, 1, false).arena.size;
    throw new CaseTooLarge(
      `wasm backend: ${describe(shape, batch)}: one leaf (packed W1 ${mib(d.w1Bytes)}, packed W2 ${mib(d.w2Bytes)}) with the batch buffers needs ${mib(one)}, ${over}, so the ${mib(whole)} of leaves cannot be split across memories`,
    );
  }
  const plan = [{ first: 0, count: first }];
  for (let at = first; at < d.leaves; at += perShard) plan.push({ first: at, count: Math.min(perShard, d.leaves - at) });
  return plan;
}

/** Where a memory holds the tree and its leaves (byte addresses); wasm-mt's memories lay them out too. */
export type LeafRegions = Pick<ShardLayout, 'nodeW' | 'nodeB' | 'w1' | 'b1' | 'w2' | 'b2'>;

/** Copies the tree (when `tree`: shard 0) and leaves first .. first + count − 1, packed, into a memory. */
export function fillLeaves(f32: Float32Array, lay: LeafRegions, d: Pick<Dims, 'i' | 'o' | 'l' | 'lPad' | 'oPad' | 'w1Bytes' | 'w2Bytes'>, w: FffWeights, first: number, count: number, tree: boolean): void {
  const { i, o, l, lPad, oPad, w1Bytes, w2Bytes } = d;
  if (tree) {
    f32.set(w.nodeWeights, lay.nodeW / 4);
    f32.set(w.nodeBias, lay.nodeB / 4);
  }
  for (let n = 0; n < count; n++) {
    const leaf = first + n;
    packPanels(f32, lay.w1 + n * w1Bytes, w.leafW1, i, l, l, leaf * i);
    f32.set(w.leafB1.subarray(leaf * l, (leaf + 1) * l), lay.b1 / 4 + n * lPad);
    packPanels(f32, lay.w2 + n * w2Bytes, w.leafW2, l, o, o, leaf * l);
    f32.set(w.leafB2.subarray(leaf * o, (leaf + 1) * o), lay.b2 / 4 + n * oPad);
  }
}

/** A shard as the sharded run uses it: its kernels, views and region addresses. */
interface Shard {
  kernels: KernelExports;
  f32: Float32Array;
  first: number;
  x: number;
  y: number;
  xRows: number;
  yRows: number;
  hRows: number;
  w1: number;
  b1: number;
  w2: number;
  b2: number;
}

function createShard(module: WebAssembly.Module, d: Dims, w: FffWeights, plan: ShardPlan[], k: number, what: string): Shard & { u32: Uint32Array; memory: WebAssembly.Memory; leafOf: number; nodeW: number; nodeB: number } {
  const { first, count } = plan[k];
  const lay = layoutShard(d, count, k === 0);
  const memory = lay.arena.createMemory(plan.length === 1 ? what : `${what}, shard ${k + 1} of ${plan.length} (leaves ${first} to ${first + count - 1})`);
  const { kernels, f32, u32 } = instantiate(module, memory);
  fillLeaves(f32, lay, d, w, first, count, k === 0);
  fillRowTable(u32, lay.hRows, d.batch, lay.hidden, d.lPad * 4);
  if (k > 0) {
    // Rows are gathered here in sorted order: position n of the sort is row n, for good.
    fillRowTable(u32, lay.xRows, d.batch, lay.x, d.i * 4);
    fillRowTable(u32, lay.yRows, d.batch, lay.y, d.oPad * 4);
  }
  const { x, y, xRows, yRows, hRows, w1, b1, w2, b2, leafOf, nodeW, nodeB } = lay;
  return { kernels, f32, u32, memory, first, x, y, xRows, yRows, hRows, w1, b1, w2, b2, leafOf, nodeW, nodeB };
}

export function prepareFff(module: WebAssembly.Module, w: FffWeights, batch: number, options: FffOptions = {}): FffKernel {
  const d = dims(w.shape, batch);
  const plan = planShards(w.shape, batch, options.maxMemoryBytes);
  const what = describe(w.shape, batch);
  if (plan.length === 1) return singleMemory(createShard(module, d, w, plan, 0, what), d, w.shape);
  const shards = plan.map((_, k) => createShard(module, d, w, plan, k, what));
  return sharded(shards, plan, d, w.shape);
}

/** Everything in one memory: the kernel as it always was. */
function singleMemory(s: ReturnType<typeof createShard>, dm: Dims, shape: LayerShape): FffKernel {
  const { kernels, f32, u32, memory, x, y, xRows, yRows, hRows, leafOf, nodeW, nodeB, w1, b1, w2, b2 } = s;
  const { i, o, l, lPad, oPad, w1Bytes, w2Bytes, leaves, batch } = dm;
  const depth = shape.depth;
  const act = activationMode(shape.activation);
  const lPanels = lPad / PANEL;
  const oPanels = oPad / PANEL;

  const leafView = new Int32Array(memory.buffer, leafOf, batch);
  const grouping = new LeafGroups(leaves, batch);
  const { visited, start, size, order } = grouping;

  return {
    shards: 1,
    run(input) {
      f32.set(input, x / 4);
      kernels.tree_walk(x, batch, i, nodeW, nodeB, depth, leafOf);
      const groups = grouping.group(leafView, batch);
      for (let n = 0; n < batch; n++) {
        const s = order[n];
        u32[xRows / 4 + n] = x + s * i * 4;
        u32[yRows / 4 + n] = y + s * oPad * 4;
      }
      for (let g = 0; g < groups; g++) {
        const leaf = visited[g];
        const rows = size[g];
        const at = start[g] * 4;
        kernels.gemm(xRows + at, rows, i, w1 + leaf * w1Bytes, lPanels, b1 + leaf * lPad * 4, hRows, act);
        kernels.gemm(hRows, rows, l, w2 + leaf * w2Bytes, oPanels, b2 + leaf * oPad * 4, yRows + at, MODE.bias);
      }
    },
    output: () => readRows(f32, y, batch, o, oPad),
    dispose() {},
  };
}

/** Leaves split across several memories (see the top of this file). */
function sharded(all: ReturnType<typeof createShard>[], plan: ShardPlan[], dm: Dims, shape: LayerShape): FffKernel {
  const { kernels, f32, u32, memory, x, y, xRows, yRows, leafOf, nodeW, nodeB } = all[0];
  const { i, o, l, lPad, oPad, w1Bytes, w2Bytes, leaves, batch } = dm;
  const depth = shape.depth;
  const act = activationMode(shape.activation);
  const lPanels = lPad / PANEL;
  const oPanels = oPad / PANEL;
  // Shard 0 holds leaves 0 .. inFirst − 1; every later one perShard leaves (the last maybe fewer).
  const inFirst = plan[0].count;
  const perShard = plan[1].count;
  const shardOf = (leaf: number) => (leaf < inFirst ? 0 : 1 + (((leaf - inFirst) / perShard) | 0));
  let shards: Shard[] = all.map(({ kernels, f32, first, x, y, xRows, yRows, hRows, w1, b1, w2, b2 }) => ({ kernels, f32, first, x, y, xRows, yRows, hRows, w1, b1, w2, b2 }));

  const leafView = new Int32Array(memory.buffer, leafOf, batch);
  const grouping = new LeafGroups(leaves, batch);
  const { visited, start, size, order } = grouping;

  return {
    shards: plan.length,
    run(input) {
      f32.set(input, x / 4);
      kernels.tree_walk(x, batch, i, nodeW, nodeB, depth, leafOf);
      const groups = grouping.group(leafView, batch);
      for (let n = 0; n < batch; n++) {
        const s = order[n];
        const k = shardOf(leafView[s]);
        if (k === 0) {
          u32[xRows / 4 + n] = x + s * i * 4;
          u32[yRows / 4 + n] = y + s * oPad * 4;
        } else {
          const t = shards[k];
          t.f32.set(input.subarray(s * i, s * i + i), t.x / 4 + n * i);
        }
      }
      for (let g = 0; g < groups; g++) {
        const leaf = visited[g];
        const rows = size[g];
        const at = start[g];
        const k = shardOf(leaf);
        const t = shards[k];
        const local = leaf - t.first;
        t.kernels.gemm(t.xRows + at * 4, rows, i, t.w1 + local * w1Bytes, lPanels, t.b1 + local * lPad * 4, t.hRows, act);
        t.kernels.gemm(t.hRows, rows, l, t.w2 + local * w2Bytes, oPanels, t.b2 + local * oPad * 4, t.yRows + at * 4, MODE.bias);
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
