/**
 * FFF hard inference on the shared-memory kernels, split across threads. Per run:
 *
 * 1. walk: every thread walks the tree for its contiguous share of the batch's rows (the SIMD
 *    tree_walk kernel), writing each sample's leaf into shared memory;
 * 2. the calling thread groups the samples by leaf (counting sort, O(batch)), writes the sorted
 *    row tables, and hands each thread a run of whole leaf groups of about the same cost — rows
 *    plus LEAF_COST_ROWS per leaf, since reading a leaf costs about as much as a few rows of its
 *    GEMM — so that each visited leaf's weights are read once per batch, by one thread; only a
 *    group of at least SPLIT_MIN_ROWS rows is cut between two threads (on a 4-row tile edge),
 *    where its compute outweighs reading the leaf twice;
 * 3. leaves: every thread runs its groups through the packed GEMM (W1 with bias and activation
 *    fused, then W2 with bias), each with its own hidden buffer.
 *
 * Beyond 4 GiB (wasm32's and a shared memory's limit alike): the leaves are split across several
 * shared memories exactly as the single-thread backend splits them (src/backends/wasm/fff.ts) —
 * contiguous leaf ranges, shard 0 holding the tree, the batch's input and output and as many
 * leaves as fit. Every thread instantiates the kernels on every memory (the compiled code is
 * shared). A thread running a group of another memory's leaf copies the group's input rows there
 * (in sorted order, where that memory's fixed row tables point), runs the GEMMs there and copies
 * the output rows back into shard 0: the copies are spread over the threads with the groups.
 */
import type { LayerShape } from '../../model/shape.ts';
import type { FffWeights } from '../../model/weights.ts';
import { CaseTooLarge, type Kernel } from '../types.ts';
import { activationMode, Arena, fillRowTable, instantiate, MAX_MEMORY_BYTES, mib, PANEL, readRows } from '../wasm/layout.ts';
import type { MtOptions } from './options.ts';
import { ThreadPool } from './pool.ts';
import { dims as wasmDims, fillLeaves, type Dims as WasmDims } from '../wasm/fff.ts';
import { LeafGroups } from '../wasm/leaf-groups.ts';
import { createExecutor, instantiateAll, TASK, type FffDesc, type FffShardDesc } from './work.mjs';

/** A leaf read counts as this many rows of its GEMM when groups are shared out. */
export const LEAF_COST_ROWS = 2;
/** Groups of at least this many rows may be cut between two threads. */
export const SPLIT_MIN_ROWS = 8;

export interface ShardPlan {
  first: number;
  count: number;
}

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

interface ShardLayout {
  arena: Arena;
  x: number;
  y: number;
  xRows: number;
  yRows: number;
  hidden: number[];
  hRows: number[];
  leafOf: number;
  sampleAt: number;
  planIndex: number;
  segments: number;
  nodeW: number;
  nodeB: number;
  w1: number;
  b1: number;
  w2: number;
  b2: number;
}

/** The regions of a memory holding `leaves` leaves, and the tree and the run's plan when `tree` (shard 0). */
function layoutShard(d: Dims, leaves: number, tree: boolean): ShardLayout {
  const { i, lPad, oPad, batch, threads } = d;
  const arena = new Arena();
  const x = arena.alloc('input', batch * i * 4);
  const y = arena.alloc('output', batch * oPad * 4);
  const xRows = arena.alloc('row tables', batch * 4);
  const yRows = arena.alloc('row tables', batch * 4);
  const hidden: number[] = [];
  const hRows: number[] = [];
  for (let t = 0; t < threads; t++) {
    hidden.push(arena.alloc('hidden per thread', batch * lPad * 4));
    hRows.push(arena.alloc('row tables', batch * 4));
  }
  const leafOf = tree ? arena.alloc('leaf of sample', batch * 4) : 0;
  const sampleAt = tree ? arena.alloc('run plan', batch * 4) : 0;
  const planIndex = tree ? arena.alloc('run plan', threads * 2 * 4) : 0;
  const segments = tree ? arena.alloc('run plan', (batch + threads) * 3 * 4) : 0;
  const nodeW = tree ? arena.alloc('node weights', d.nodes * i * 4) : 0;
  const nodeB = tree ? arena.alloc('node biases', d.nodes * 4) : 0;
  const w1 = arena.alloc('packed leaf W1', leaves * d.w1Bytes);
  const b1 = arena.alloc('leaf b1', leaves * lPad * 4);
  const w2 = arena.alloc('packed leaf W2', leaves * d.w2Bytes);
  const b2 = arena.alloc('leaf b2', leaves * oPad * 4);
  return { arena, x, y, xRows, yRows, hidden, hRows, leafOf, sampleAt, planIndex, segments, nodeW, nodeB, w1, b1, w2, b2 };
}

/** Bytes of a memory's regions with `leaves` leaves, and the tree when `tree` (shard 0). */
export function shardBytes(shape: LayerShape, batch: number, threads: number, leaves: number, tree: boolean): number {
  return layoutShard(dims(shape, batch, threads), leaves, tree).arena.size;
}

function capacity(d: Dims, tree: boolean, limit: number): number {
  const bytes = (n: number) => layoutShard(d, n, tree).arena.size;
  if (bytes(0) > limit) return -1;
  const perLeaf = d.w1Bytes + d.w2Bytes + (d.lPad + d.oPad) * 4;
  let n = Math.min(d.leaves, Math.floor((limit - bytes(0)) / perLeaf));
  while (n > 0 && bytes(n) > limit) n--;
  while (n < d.leaves && bytes(n + 1) <= limit) n++;
  return n;
}

function describe(shape: LayerShape, batch: number): string {
  return `FFF i=${shape.inputDim} o=${shape.outputDim} depth=${shape.depth} leaf=${shape.leafWidth} batch=${batch}`;
}

/**
 * How the leaves are split across memories of at most `maxMemoryBytes` (capped at
 * MAX_MEMORY_BYTES), as src/backends/wasm/fff.ts plans it: one memory when everything fits, else
 * shard 0 with the tree and as many leaves as fit, then full memories of leaves.
 */
export function planShards(shape: LayerShape, batch: number, threads: number, maxMemoryBytes = MAX_MEMORY_BYTES): ShardPlan[] {
  const d = dims(shape, batch, threads);
  const limit = Math.min(maxMemoryBytes, MAX_MEMORY_BYTES);
  const whole = layoutShard(d, d.leaves, true).arena.size;
  if (whole <= limit) return [{ first: 0, count: d.leaves }];
  const over = `over the ${mib(limit)} one wasm memory may hold here`;
  const first = capacity(d, true, limit);
  if (first < 0) {
    const tree = layoutShard(d, 0, true).arena.size;
    throw new CaseTooLarge(`wasm-mt backend: ${describe(shape, batch)}: the tree's node weights (${mib(d.nodes * d.i * 4)}) with the batch buffers need ${mib(tree)}, ${over}; only leaves can be split across memories`);
  }
  const perShard = capacity(d, false, limit);
  if (perShard < 1) {
    const one = layoutShard(d, 1, false).arena.size;
    throw new CaseTooLarge(
      `wasm-mt backend: ${describe(shape, batch)}: one leaf (packed W1 ${mib(d.w1Bytes)}, packed W2 ${mib(d.w2Bytes)}) with the batch buffers needs ${mib(one)}, ${over}, so the ${mib(whole)} of leaves cannot be split across memories`,
    );
  }
  const plan = [{ first: 0, count: first }];
  for (let at = first; at < d.leaves; at += perShard) plan.push({ first: at, count: Math.min(perShard, d.leaves - at) });
  return plan;
}

/**
 * Shares `groups` leaf groups (in order: group g is `size[g]` rows of leaf `leaf[g]` from sorted
 * position `start[g]`) out to `threads` threads, in order, each about total cost / threads, where
 * a group costs its rows + LEAF_COST_ROWS. Writes the segments — [leaf, position, rows] — to
 * `segments` and each thread's [first segment, count] to `index`; returns the segment count.
 */
export function assignGroups(leaf: Int32Array, start: Int32Array, size: Int32Array, groups: number, threads: number, index: Int32Array, segments: Int32Array): number {
  if (threads === 1) {
    for (let g = 0; g < groups; g++) {
      segments[3 * g] = leaf[g];
      segments[3 * g + 1] = start[g];
      segments[3 * g + 2] = size[g];
    }
    index[0] = 0;
    index[1] = groups;
    return groups;
  }
  let rowsTotal = 0;
  for (let g = 0; g < groups; g++) rowsTotal += size[g];
  const total = rowsTotal + LEAF_COST_ROWS * groups;
  let t = 0;
  let edge = total / threads; // cost at which thread t's share ends
  let acc = 0;
  let n = 0;
  index[0] = 0;
  const emit = (lf: number, pos: number, rows: number) => {
    segments[3 * n] = lf;
    segments[3 * n + 1] = pos;
    segments[3 * n + 2] = rows;
    n++;
    acc += rows + LEAF_COST_ROWS;
  };
  const next = () => {
    index[2 * t + 1] = n - index[2 * t];
    t++;
    index[2 * t] = n;
    edge = (total * (t + 1)) / threads;
  };
  for (let g = 0; g < groups; g++) {
    let pos = start[g];
    let rows = size[g];
    while (rows > 0) {
      const cost = rows + LEAF_COST_ROWS;
      if (t === threads - 1 || acc + cost <= edge) {
        emit(leaf[g], pos, rows);
        rows = 0;
      } else if (rows >= SPLIT_MIN_ROWS) {
        const take = Math.floor((edge - acc - LEAF_COST_ROWS) / 4) * 4;
        if (take >= 4) {
          emit(leaf[g], pos, take);
          pos += take;
          rows -= take;
        }
        next();
      } else if (edge - acc >= cost / 2) {
        emit(leaf[g], pos, rows);
        rows = 0;
        next();
      } else {
        next();
      }
    }
  }
  index[2 * t + 1] = n - index[2 * t];
  for (let u = t + 1; u < threads; u++) {
    index[2 * u] = n;
    index[2 * u + 1] = 0;
  }
  return n;
}

export async function prepareFffMt(module: WebAssembly.Module, w: FffWeights, batch: number, threads: number, options: MtOptions): Promise<FffMtKernel> {
  const d = dims(w.shape, batch, threads);
  const { i, o, l, lPad, oPad, leaves } = d;
  const plan = planShards(w.shape, batch, threads, options.maxMemoryBytes);
  const what = describe(w.shape, batch);
  const memories: WebAssembly.Memory[] = [];
  const layouts: ShardLayout[] = [];
  for (const [k, { first, count }] of plan.entries()) {
    const lay = layoutShard(d, count, k === 0);
    const memory = lay.arena.createMemory(plan.length === 1 ? what : `${what}, shard ${k + 1} of ${plan.length} (leaves ${first} to ${first + count - 1})`, { shared: true, backend: 'wasm-mt' });
    const { f32, u32 } = instantiate(module, memory);
    fillLeaves(f32, lay, d, w, first, count, k === 0);
    for (let t = 0; t < threads; t++) fillRowTable(u32, lay.hRows[t], batch, lay.hidden[t], lPad * 4);
    if (k > 0) {
      // Rows are gathered here in sorted order: position n of the sort is row n, for good.
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
  }));
  const desc: FffDesc = {
    kind: 'fff',
    batch,
    i,
    o,
    l,
    lPad,
    oPad,
    act: activationMode(w.shape.activation),
    depth: w.shape.depth,
    lPanels: lPad / PANEL,
    oPanels: oPad / PANEL,
    w1Bytes: d.w1Bytes,
    w2Bytes: d.w2Bytes,
    inFirst: plan[0].count,
    perShard: plan.length > 1 ? plan[1].count : leaves,
    shards,
    nodeW: zero.nodeW,
    nodeB: zero.nodeB,
    leafOf: zero.leafOf,
    plan: { index: zero.planIndex, segments: zero.segments, sampleAt: zero.sampleAt },
    // ceil: the calling thread's share is never the empty one
    walk: Array.from({ length: threads }, (_, t) => [Math.ceil((batch * t) / threads), Math.ceil((batch * (t + 1)) / threads)]),
  };
  const views = instantiateAll(module, memories);
  const mine = createExecutor(desc, views, 0);
  const { f32, u32 } = views[0];
  const { x, y, xRows, yRows } = zero;
  const inFirst = plan[0].count;

  // Grouping state, reused across runs; only the leaves a batch visits are touched (O(batch)).
  const leafView = new Int32Array(memories[0].buffer, zero.leafOf, batch);
  const sampleAt = new Int32Array(memories[0].buffer, zero.sampleAt, batch);
  const planIndex = new Int32Array(memories[0].buffer, zero.planIndex, 2 * threads);
  const segments = new Int32Array(memories[0].buffer, zero.segments, 3 * (batch + threads));
  const grouping = new LeafGroups(leaves, batch, sampleAt);

  /** Sorts the batch by leaf into the row tables and shares the groups out. */
  const group = () => {
    const groups = grouping.group(leafView, batch);
    for (let n = 0; n < batch; n++) {
      const s = sampleAt[n];
      if (leafView[s] < inFirst) {
        u32[xRows / 4 + n] = x + s * i * 4;
        u32[yRows / 4 + n] = y + s * oPad * 4;
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
        f32.set(input, x / 4);
        mine(TASK.walk);
        group();
        mine(TASK.leaves);
      },
      output,
      dispose() {},
    };
  }

  const pool = await ThreadPool.start({ threads, module, memories, desc, timeoutMs: options.timeoutMs, spinMicros: options.spinMicros, fault: options.fault });
  const own = (task: number) => {
    try {
      mine(task);
    } catch (err) {
      throw pool.fail(err as Error);
    }
  };
  return {
    shards: plan.length,
    threads,
    async run(input) {
      f32.set(input, x / 4);
      pool.dispatch(TASK.walk);
      own(TASK.walk);
      await pool.join();
      group();
      pool.dispatch(TASK.leaves);
      own(TASK.leaves);
      await pool.join();
    },
    output,
    dispose: () => pool.terminate(),
  };
}
