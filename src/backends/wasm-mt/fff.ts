/**
 * FFF hard inference on the shared-memory kernels, split across threads: the wasm backend's
 * two-phase walk and leaf kernels (src/backends/wasm/fff.ts), each phase shared out. Per run:
 *
 * 1. walk: the calling thread copies the input in, chunk by chunk, publishing each chunk as it
 *    lands; the worker threads walk the top levels of each chunk as soon as it is there (claiming
 *    chunks in order with an atomic counter), and the calling thread joins them once the copy is
 *    done — the copy, which only the calling thread can do, overlaps the walk;
 * 2. the calling thread sorts the batch by bucket (counting sort, O(batch));
 * 3. route: every thread walks the rest of the way for its share of the sorted positions, and
 *    runs each sample's leaf there when the leaves are narrower than a GEMM panel — done;
 * 4. wider leaves: the calling thread groups the samples by leaf, writes the sorted row tables and
 *    hands each thread a run of whole leaf groups of about the same cost (assign-groups.ts), so
 *    each visited leaf is read once per batch, by one thread; every thread runs its groups
 *    through the packed GEMM with its own hidden buffer.
 *
 * Beyond 4 GiB (wasm32's and a shared memory's limit alike): the leaves are split across several
 * shared memories exactly as the single-thread backend splits them — contiguous leaf ranges, shard
 * 0 holding the tree, the batch's input and output and as many leaves as fit. Every thread
 * instantiates the kernels on every memory (the compiled code is shared). There the leaves always
 * run as in step 4: a thread running a group of another memory's leaf copies the group's input
 * rows there (in sorted order, where that memory's fixed row tables point), runs the leaf there
 * and copies the output rows back into shard 0. Every sample meets the same instructions whatever
 * the thread count or the memories: the outputs are bit-identical.
 */
import type { LayerShape } from '../../model/shape.ts';
import type { FffWeights } from '../../model/weights.ts';
import type { Kernel } from '../types.ts';
import {
  describe,
  dims as wasmDims,
  DESC_BYTES,
  fillLeaves,
  planLeafShards,
  writeDescriptor,
  type Dims as WasmDims,
  type LeafRegions,
  type ShardPlan,
} from '../wasm/fff-layout.ts';
import { LeafGroups } from '../wasm/leaf-groups.ts';
import { activationMode, Arena, fillRowTable, instantiate, MAX_MEMORY_BYTES, PANEL, readRows } from '../wasm/layout.ts';
import { assignGroups } from './assign-groups.ts';
import type { MtOptions } from './options.ts';
import { ThreadPool } from './pool.ts';
import { createExecutor, instantiateAll, TASK, type FffDesc, type FffShardDesc } from './work.mjs';

export { assignGroups, LEAF_COST_ROWS, SPLIT_MIN_ROWS } from './assign-groups.ts';
export type { ShardPlan } from '../wasm/fff-layout.ts';

export interface FffMtKernel extends Kernel {
  /** Memories the leaves are split across (1 when everything fits one). */
  readonly shards: number;
  /** Threads the kernel runs on (1: the calling thread alone). */
  readonly threads: number;
}

interface Dims extends WasmDims {
  threads: number;
}

function dims(shape: LayerShape, batch: number, threads: number): Dims {
  return { ...wasmDims(shape, batch), threads };
}

interface ShardLayout extends LeafRegions {
  arena: Arena;
  x: number;
  y: number;
  xRows: number;
  yRows: number;
  hidden: number[];
  hRows: number[];
  leafOf: number;
  order: number;
  planIndex: number;
  segments: number;
  desc: number;
  progress: number;
}

/** The regions of a memory holding `leaves` leaves, and the tree and the run's plan when `tree` (shard 0). */
function layoutShard(d: Dims, leaves: number, tree: boolean): ShardLayout {
  const { i, lPad, oPad, batch, threads } = d;
  const gemm = !d.small;
  const arena = new Arena();
  const x = arena.alloc('input', batch * i * 4);
  const y = arena.alloc('output', batch * oPad * 4);
  const xRows = gemm ? arena.alloc('row tables', batch * 4) : 0;
  const yRows = gemm ? arena.alloc('row tables', batch * 4) : 0;
  const hidden: number[] = [];
  const hRows: number[] = [];
  for (let t = 0; gemm && t < threads; t++) {
    hidden.push(arena.alloc('hidden per thread', batch * lPad * 4));
    hRows.push(arena.alloc('row tables', batch * 4));
  }
  const leafOf = arena.alloc('leaf of sample', batch * 4);
  const order = arena.alloc('sorted order', batch * 4);
  const planIndex = tree ? arena.alloc('run plan', threads * 2 * 4) : 0;
  const segments = tree ? arena.alloc('run plan', (batch + threads) * 3 * 4) : 0;
  const nodeW = tree ? arena.alloc('node weights', d.nodes * i * 4) : 0;
  const nodeB = tree ? arena.alloc('node biases', d.nodes * 4) : 0;
  const w1 = arena.alloc(gemm ? 'packed leaf W1' : 'leaf W1 (transposed)', leaves * d.w1Bytes);
  const b1 = arena.alloc('leaf b1', leaves * lPad * 4);
  const w2 = arena.alloc(gemm ? 'packed leaf W2' : 'leaf W2', leaves * d.w2Bytes);
  const b2 = arena.alloc('leaf b2', leaves * oPad * 4);
  const desc = arena.alloc('descriptor', DESC_BYTES);
  const progress = tree ? arena.alloc('run plan', 8) : 0;
  return { arena, x, y, xRows, yRows, hidden, hRows, leafOf, order, planIndex, segments, nodeW, nodeB, w1, b1, w2, b2, desc, progress };
}

/** Bytes of a memory's regions with `leaves` leaves, and the tree when `tree` (shard 0). */
export function shardBytes(shape: LayerShape, batch: number, threads: number, leaves: number, tree: boolean): number {
  return layoutShard(dims(shape, batch, threads), leaves, tree).arena.size;
}

/**
 * How the leaves are split across memories of at most `maxMemoryBytes` (capped at
 * MAX_MEMORY_BYTES), as src/backends/wasm/fff.ts plans it (planLeafShards).
 */
export function planShards(shape: LayerShape, batch: number, threads: number, maxMemoryBytes = MAX_MEMORY_BYTES): ShardPlan[] {
  const d = dims(shape, batch, threads);
  return planLeafShards(d, (leaves, tree) => layoutShard(d, leaves, tree).arena.size, maxMemoryBytes, 'wasm-mt', describe(shape, batch));
}

/** Each thread's [first, end) of `count` items, in order, as equal as whole items allow. */
export function shares(count: number, threads: number): [number, number][] {
  // ceil: the calling thread's share is never the empty one
  return Array.from({ length: threads }, (_, t) => [Math.ceil((count * t) / threads), Math.ceil((count * (t + 1)) / threads)]);
}

export async function prepareFffMt(module: WebAssembly.Module, w: FffWeights, batch: number, threads: number, options: MtOptions): Promise<FffMtKernel> {
  const d = dims(w.shape, batch, threads);
  const { i, o, oPad, lPad, leaves, top, depth, chunkRows } = d;
  const plan = planShards(w.shape, batch, threads, options.maxMemoryBytes);
  const what = describe(w.shape, batch);
  const act = activationMode(w.shape.activation);
  const memories: WebAssembly.Memory[] = [];
  const layouts: ShardLayout[] = [];
  for (const [k, { first, count }] of plan.entries()) {
    const lay = layoutShard(d, count, k === 0);
    const memory = lay.arena.createMemory(plan.length === 1 ? what : `${what}, shard ${k + 1} of ${plan.length} (leaves ${first} to ${first + count - 1})`, {
      shared: true,
      backend: 'wasm-mt',
    });
    const { f32, u32 } = instantiate(module, memory);
    const i32 = new Int32Array(memory.buffer);
    fillLeaves(f32, lay, d, w, first, count, k === 0);
    writeDescriptor(i32, lay.desc, {
      x: lay.x,
      i,
      nodes: lay.nodeW,
      nodeBias: lay.nodeB,
      top,
      depth,
      leafOf: lay.leafOf,
      order: lay.order,
      y: lay.y,
      oPad,
      l: d.l,
      w1: lay.w1,
      b1: lay.b1,
      w2: lay.w2,
      b2: lay.b2,
      act,
    });
    // Until a run sorts them, positions are the samples in batch order; in shards past the first
    // they stay so: rows are gathered there in sorted order, position n in row n, for good.
    for (let n = 0; n < batch; n++) i32[lay.order / 4 + n] = n;
    for (let t = 0; t < lay.hRows.length; t++) fillRowTable(u32, lay.hRows[t], batch, lay.hidden[t], lPad * 4);
    if (k > 0 && !d.small) {
      fillRowTable(u32, lay.xRows, batch, lay.x, i * 4);
      fillRowTable(u32, lay.yRows, batch, lay.y, oPad * 4);
    }
    memories.push(memory);
    layouts.push(lay);
  }
  const zero = layouts[0];
  const shards: FffShardDesc[] = layouts.map((lay, k) => ({
    first: plan[k].first,
    count: plan[k].count,
    x: lay.x,
    y: lay.y,
    xRows: lay.xRows,
    yRows: lay.yRows,
    w1: lay.w1,
    b1: lay.b1,
    w2: lay.w2,
    b2: lay.b2,
    hRows: lay.hRows,
    leafOf: lay.leafOf,
    order: lay.order,
    desc: lay.desc,
  }));
  const chunks = Math.ceil(batch / chunkRows);
  const desc: FffDesc = {
    kind: 'fff',
    batch,
    i,
    o,
    l: d.l,
    lPad,
    oPad,
    act,
    depth,
    top,
    small: d.small,
    lPanels: lPad / PANEL,
    oPanels: oPad / PANEL,
    w1Bytes: d.w1Bytes,
    w2Bytes: d.w2Bytes,
    inFirst: plan[0].count,
    perShard: plan.length > 1 ? plan[1].count : leaves,
    shards,
    nodeW: zero.nodeW,
    nodeB: zero.nodeB,
    chunkRows,
    chunks,
    plan: { index: zero.planIndex, segments: zero.segments, progress: zero.progress },
    route: shares(batch, threads),
  };
  const views = instantiateAll(module, memories);
  const mine = createExecutor(desc, views, 0);
  const { f32, u32, i32 } = views[0];
  const { x, y, xRows, yRows } = zero;
  const inFirst = plan[0].count;
  // The leaves run with the walk's second phase, unless they are GEMM leaves or split across
  // memories; a batch walked whole in the first phase has no second one to run otherwise.
  const leavesInRoute = d.small && plan.length === 1;
  const route = top < depth || leavesInRoute;

  // Sorting state, reused across runs; only the buckets and leaves a batch visits are touched (O(batch)).
  const leafView = new Int32Array(memories[0].buffer, zero.leafOf, batch);
  const orderView = new Int32Array(memories[0].buffer, zero.order, batch);
  const planIndex = new Int32Array(memories[0].buffer, zero.planIndex, 2 * threads);
  const segments = new Int32Array(memories[0].buffer, zero.segments, 3 * (batch + threads));
  const buckets = new LeafGroups(2 ** top, batch, orderView);
  const grouping = new LeafGroups(leaves, batch, orderView);
  const copied = zero.progress / 4;

  /** Copies chunk c of the input in and tells the walking threads it is there. */
  const copyChunk = (input: Float32Array, c: number) => {
    const from = c * chunkRows;
    const rows = Math.min(chunkRows, batch - from);
    f32.set(input.subarray(from * i, (from + rows) * i), x / 4 + from * i);
    Atomics.store(i32, copied, c + 1);
  };
  /** Sorts the batch by leaf into the row tables and shares the groups out. */
  const group = () => {
    const groups = grouping.group(leafView, batch);
    if (!d.small) {
      for (let n = 0; n < batch; n++) {
        const s = orderView[n];
        if (leafView[s] < inFirst) {
          u32[xRows / 4 + n] = x + s * i * 4;
          u32[yRows / 4 + n] = y + s * oPad * 4;
        }
      }
    }
    assignGroups(grouping.visited, grouping.start, grouping.size, groups, threads, planIndex, segments);
  };
  const output = () => readRows(f32, y, batch, o, oPad);

  if (threads === 1) {
    return {
      shards: plan.length,
      threads: 1,
      run(input) {
        // one thread: each chunk walked right after its copy, while it is in cache
        const { kernels } = views[0];
        for (let c = 0; c < chunks; c++) {
          copyChunk(input, c);
          const from = c * chunkRows;
          kernels.tree_walk(x + from * i * 4, Math.min(chunkRows, batch - from), i, zero.nodeW, zero.nodeB, top, zero.leafOf + from * 4);
        }
        if (top < depth) buckets.group(leafView, batch);
        if (route) mine(TASK.route);
        if (leavesInRoute) return;
        group();
        mine(TASK.leaves);
      },
      output,
      dispose() {},
    };
  }

  const pool = await ThreadPool.start({ threads, module, memories, desc, timeoutMs: options.timeoutMs, spinMicros: options.spinMicros, fault: options.fault });
  return {
    shards: plan.length,
    threads,
    async run(input) {
      Atomics.store(i32, copied, 0);
      Atomics.store(i32, copied + 1, 0);
      pool.dispatch(TASK.walk);
      for (let c = 0; c < chunks; c++) copyChunk(input, c);
      pool.runShare(TASK.walk, mine);
      await pool.join();
      if (top < depth) buckets.group(leafView, batch);
      if (route) {
        pool.dispatch(TASK.route);
        pool.runShare(TASK.route, mine);
        await pool.join();
      }
      if (leavesInRoute) return;
      group();
      pool.dispatch(TASK.leaves);
      pool.runShare(TASK.leaves, mine);
      await pool.join();
    },
    output,
    dispose: () => pool.terminate(),
  };
}
