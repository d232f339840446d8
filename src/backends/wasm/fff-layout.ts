/**
 * The FFF's sizes and memory layout on the wasm kernels, shared by the wasm and wasm-mt backends:
 * how the leaves are packed (GEMM panels, or unpadded rows for leaves narrower than a panel), the
 * two-phase walk's split, the kernels' descriptor, and how leaves are split across memories.
 */
import { leafCount, nodeCount, type LayerShape } from '../../model/shape.ts';
import type { FffWeights } from '../../model/weights.ts';
import { CaseTooLarge } from '../types.ts';
import { MAX_MEMORY_BYTES, PANEL, packPanels, roundUp } from './layout.ts';
import { formatMiB } from '../../text/format.ts';

export { DESC_BYTES, writeDescriptor, type FffDescriptor } from './abi.mjs';

/**
 * Leaves narrower than this run without the GEMM (fff_leaves in kernels/tree.wat: one dot product
 * per hidden unit, W1 stored transposed, nothing padded); wider ones through the packed GEMM, whose
 * panels pad ℓ to a multiple of 8 columns (at ℓ = 1, 7 of 8 columns were zeros, read and multiplied).
 */
export const SMALL_LEAF_BELOW = PANEL;

/**
 * The two-phase walk (kernels/tree.wat): the input is copied into the memory in chunks of about
 * CHUNK_BYTES, and each chunk's samples walk the top levels — as many as keep the tree's top
 * within TOP_TREE_BYTES — while the chunk is still in cache; then the batch is sorted by the node
 * reached (its bucket) and every sample walks the rest of the way with the samples of its subtree,
 * whose rows stay in cache while they pass. Walking each sample through all 12 levels at i = 768
 * read its 4 deepest node rows from memory: the 32 ms walk of d = 12, batch 16384 was 4 ms per
 * deep level against 1.5 ms per cached one. Measured at that shape (ℓ = 1, in one process,
 * alternating): a top of 7 levels (381 KB of node rows) 51-52 ms a batch, 6 levels 51, 8 levels
 * (765 KB) 60 — the chunk and the top's rows no longer stay in L2 together; the chunk size
 * (64 KB to the whole batch) changed the total by under 5%.
 */
export const CHUNK_BYTES = 512 * 1024;
export const TOP_TREE_BYTES = 512 * 1024;
/**
 * Batches smaller than this walk the whole tree in the first phase: too few samples to share a
 * subtree, and the second phase's four lanes would mostly repeat one sample (d = 12, ℓ = 32,
 * batch 1 measured 1.3x slower split in two phases).
 */
export const TWO_PHASE_FROM_BATCH = 16;

/** The FFF's sizes as the memories lay them out (wasm-mt adds its thread count). */
export interface Dims {
  i: number;
  o: number;
  l: number;
  /** Leaves narrower than SMALL_LEAF_BELOW: packed as rows for fff_leaves, not as GEMM panels. */
  small: boolean;
  /** The leaf width as packed: ℓ for small leaves, else ℓ padded to a whole panel. */
  lPad: number;
  oPad: number;
  /** One leaf's packed W1 and W2, in bytes. */
  w1Bytes: number;
  w2Bytes: number;
  leaves: number;
  nodes: number;
  depth: number;
  /** Levels of the walk's first phase; the batch is sorted by the node reached there. */
  top: number;
  /** Samples per chunk of the input copy (and the first phase's walk). */
  chunkRows: number;
  batch: number;
}

export function dims(shape: LayerShape, batch: number): Dims {
  const { inputDim: i, outputDim: o, depth, leafWidth: l } = shape;
  const small = l < SMALL_LEAF_BELOW;
  const lPad = small ? l : roundUp(l, PANEL);
  const oPad = roundUp(o, PANEL);
  // 2^top − 1 node rows of i floats within TOP_TREE_BYTES
  const top = batch < TWO_PHASE_FROM_BATCH ? depth : Math.min(depth, Math.floor(Math.log2(TOP_TREE_BYTES / (i * 4) + 1)));
  const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / (i * 4)));
  return {
    i,
    o,
    l,
    small,
    lPad,
    oPad,
    w1Bytes: i * lPad * 4,
    w2Bytes: l * oPad * 4,
    leaves: leafCount(depth),
    nodes: nodeCount(depth),
    depth,
    top,
    chunkRows,
    batch,
  };
}

/** Where a memory holds the tree and its leaves (byte addresses). */
export interface LeafRegions {
  nodeW: number;
  nodeB: number;
  w1: number;
  b1: number;
  w2: number;
  b2: number;
}

/**
 * Copies the tree (when `tree`: shard 0) and leaves first .. first + count − 1 into a memory:
 * small leaves as rows (W1 transposed: ℓ rows of i floats; W2: ℓ rows of oPad floats), wider ones
 * packed into GEMM panels. Padding stays zero (fresh wasm memory is zero).
 */
export function fillLeaves(f32: Float32Array, lay: LeafRegions, d: Dims, w: FffWeights, first: number, count: number, tree: boolean): void {
  const { i, o, l, lPad, oPad, w1Bytes, w2Bytes } = d;
  if (tree) {
    f32.set(w.nodeWeights, lay.nodeW / 4);
    f32.set(w.nodeBias, lay.nodeB / 4);
  }
  for (let n = 0; n < count; n++) {
    const leaf = first + n;
    if (d.small) {
      const w1t = lay.w1 / 4 + n * l * i;
      for (let q = 0; q < i; q++) for (let j = 0; j < l; j++) f32[w1t + j * i + q] = w.leafW1[(leaf * i + q) * l + j];
      for (let j = 0; j < l; j++) f32.set(w.leafW2.subarray((leaf * l + j) * o, (leaf * l + j + 1) * o), lay.w2 / 4 + (n * l + j) * oPad);
    } else {
      packPanels(f32, lay.w1 + n * w1Bytes, w.leafW1, i, l, l, leaf * i);
      packPanels(f32, lay.w2 + n * w2Bytes, w.leafW2, l, o, o, leaf * l);
    }
    f32.set(w.leafB1.subarray(leaf * l, (leaf + 1) * l), lay.b1 / 4 + n * lPad);
    f32.set(w.leafB2.subarray(leaf * o, (leaf + 1) * o), lay.b2 / 4 + n * oPad);
  }
}

/** A shard: leaves first .. first + count − 1. */
export interface ShardPlan {
  first: number;
  count: number;
}

export function describe(shape: LayerShape, batch: number): string {
  return `FFF i=${shape.inputDim} o=${shape.outputDim} depth=${shape.depth} leaf=${shape.leafWidth} batch=${batch}`;
}

/**
 * How the leaves are split across memories of at most `limit` bytes, given the bytes of a memory
 * holding `leaves` leaves (and the tree and the run's plan when `tree`): one shard when everything
 * fits one memory, else shard 0 with the tree and as many leaves as fit (perhaps none), then full
 * shards of leaves. Throws CaseTooLarge, naming `backend`, when the tree and the batch buffers, or
 * one leaf with the batch buffers, do not fit one memory.
 */
export function planLeafShards(d: Dims, bytes: (leaves: number, tree: boolean) => number, limit: number, backend: string, what: string): ShardPlan[] {
  limit = Math.min(limit, MAX_MEMORY_BYTES);
  const whole = bytes(d.leaves, true);
  if (whole <= limit) return [{ first: 0, count: d.leaves }];
  const over = `over the ${formatMiB(limit)} one wasm memory may hold here`;
  const first = capacity(d, bytes, true, limit);
  if (first < 0) {
    throw new CaseTooLarge(
      `${backend} backend: ${what}: the tree's node weights (${formatMiB(d.nodes * d.i * 4)}) with the batch buffers need ${formatMiB(bytes(0, true))}, ${over}; only leaves can be split across memories`,
    );
  }
  const perShard = capacity(d, bytes, false, limit);
  if (perShard < 1) {
    throw new CaseTooLarge(
      `${backend} backend: ${what}: one leaf (packed W1 ${formatMiB(d.w1Bytes)}, packed W2 ${formatMiB(d.w2Bytes)}) with the batch buffers needs ${formatMiB(bytes(1, false))}, ${over}, so the ${formatMiB(whole)} of leaves cannot be split across memories`,
    );
  }
  const plan = [{ first: 0, count: first }];
  for (let at = first; at < d.leaves; at += perShard) plan.push({ first: at, count: Math.min(perShard, d.leaves - at) });
  return plan;
}

/** The most leaves (up to all) a memory holds within `limit` bytes; −1 when not even its buffers fit. */
function capacity(d: Dims, bytes: (leaves: number, tree: boolean) => number, tree: boolean, limit: number): number {
  const base = bytes(0, tree);
  if (base > limit) return -1;
  const perLeaf = d.w1Bytes + d.w2Bytes + (d.lPad + d.oPad) * 4;
  let n = Math.min(d.leaves, Math.floor((limit - base) / perLeaf));
  while (n > 0 && bytes(n, tree) > limit) n--; // region alignment
  while (n < d.leaves && bytes(n + 1, tree) <= limit) n++;
  return n;
}
