/**
 * UltraFastBERT's tree (model 'ufb') on the wasm kernels (kernels/ufb.wat), one memory, in the
 * FFF's two phases (fff.ts):
 *
 * 1. chunk by chunk (the input read in place, or copied in when it is not one of the kernel's
 *    `inputs`), each chunk's samples walk the top levels four at a time while the chunk is in
 *    cache (ufb_top), keeping act(a) of each level in a small table (D + 1 pairs of words a
 *    sample: act(a), and later the level's output row address) and the node reached, their bucket;
 * 2. the batch is sorted by bucket (counting sort), and ufb_route walks every sample the rest of
 *    the way in that order, four at a time, then writes its output once: the sum over its D + 1
 *    nodes of act(a) times the node's output row, 32 columns at a time in registers. A subtree's
 *    rows are read from memory once for its samples, the top levels' rows stay in cache, and
 *    neither the input nor the output row of a sample is read or written more than once after
 *    the copy (a level-by-level pass over the batch would read and write every output row at
 *    each of the D + 1 levels).
 *
 * Everything fits one 4 GiB memory or the case is skipped (CaseTooLarge): at i = o = 768 that is
 * depth 18 (3.2 GB of weights); UltraFastBERT's own is depth 11.
 */
import type { LayerShape } from '../../model/shape.ts';
import type { UfbWeights } from '../../model/weights.ts';
import type { Kernel } from '../types.ts';
import { UFB_DESC_BYTES, UFB_DESC_FIELDS, writeUfbDescriptor } from './abi.mjs';
import { TOP_TREE_BYTES, TWO_PHASE_FROM_BATCH } from './fff-layout.ts';
import { LeafGroups } from './leaf-groups.ts';
import { activationMode, Arena, instantiate, MAX_MEMORY_BYTES, PANEL, readRows, roundUp, type KernelExports } from './layout.ts';

/**
 * The first phase's input chunks: smaller than the FFF's (fff-layout.ts: CHUNK_BYTES), because on
 * wasm-mt the workers walk each chunk as the calling thread copies it in, and they follow the
 * copy more closely: d = 11, batch 16384, 2 threads ran 27.0-28.0 ms a batch with 128 KiB chunks
 * against 28.3-29.8 with 512 KiB and 28.4-29.1 with 64 KiB (three alternations, one process each).
 */
export const UFB_CHUNK_BYTES = 128 * 1024;

/** The tree's sizes as the memory lays them out (wasm-mt's too). */
export interface UfbDims {
  i: number;
  o: number;
  oPad: number;
  /** D + 1: the nodes on a sample's path. */
  levels: number;
  nodes: number;
  /** Levels of the first phase: as many as keep TOP_TREE_BYTES of input rows, all for a small batch. */
  top: number;
  chunkRows: number;
  batch: number;
}

export function ufbDims(shape: LayerShape, batch: number): UfbDims {
  const { inputDim: i, outputDim: o, depth } = shape;
  const levels = depth + 1;
  const top = batch < TWO_PHASE_FROM_BATCH ? levels : Math.min(levels, Math.floor(Math.log2(TOP_TREE_BYTES / (i * 4) + 1)));
  return { i, o, oPad: roundUp(o, PANEL), levels, nodes: 2 ** levels - 1, top, chunkRows: Math.max(1, Math.floor(UFB_CHUNK_BYTES / (i * 4))), batch };
}

/** Byte addresses of the memory's regions. */
export interface UfbLayout {
  arena: Arena;
  /** The first input batch; `inputs` of them, one after another (PrepareOptions.inputBatches). */
  x: number;
  inputs: number;
  y: number;
  h: number;
  nodeOf: number;
  order: number;
  nodeIn: number;
  nodeOut: number;
  desc: number;
}

/**
 * The regions; a caller may add its own (wasm-mt's run plan) to the arena before creating the
 * memory. Room for `inputBatches` input batches where they fit one memory beside the tree, else one
 * (run() then copies each batch in).
 */
export function layoutUfb(d: UfbDims, inputBatches = 1): UfbLayout {
  const lay = layoutWith(d, Math.max(1, inputBatches));
  return lay.inputs > 1 && lay.arena.size > MAX_MEMORY_BYTES - 65536 ? layoutWith(d, 1) : lay;
}

function layoutWith(d: UfbDims, inputs: number): UfbLayout {
  const { i, oPad, batch, levels, nodes } = d;
  const arena = new Arena();
  const x = arena.alloc('input', inputs * batch * i * 4);
  const y = arena.alloc('output', batch * oPad * 4);
  const h = arena.alloc('activations and path rows', batch * levels * 8);
  const nodeOf = arena.alloc('bucket of sample', batch * 4);
  const order = arena.alloc('sorted order', batch * 4);
  const nodeIn = arena.alloc('node input rows', nodes * i * 4);
  const nodeOut = arena.alloc('node output rows', nodes * oPad * 4);
  const desc = arena.alloc('descriptor', UFB_DESC_BYTES);
  return { arena, x, inputs, y, h, nodeOf, order, nodeIn, nodeOut, desc };
}

/** The input batches as Kernel.inputs offers them: views of the memory, each batch × i floats. */
export function inputViews(memory: WebAssembly.Memory, lay: UfbLayout, d: UfbDims): Float32Array[] {
  return Array.from({ length: lay.inputs }, (_, k) => new Float32Array(memory.buffer, lay.x + k * d.batch * d.i * 4, d.batch * d.i));
}

/**
 * Points the kernels at the input batch `input` is, when it is one of `views` (true: nothing to
 * copy); otherwise at the first, which the caller then copies `input` into (false).
 */
export function pointAtInput(i32: Int32Array, lay: UfbLayout, views: readonly Float32Array[], input: Float32Array): boolean {
  const slot = views.indexOf(input);
  i32[lay.desc / 4 + UFB_DESC_FIELDS.indexOf('x')] = slot >= 0 ? views[slot].byteOffset : lay.x;
  return slot >= 0;
}

/** Copies the tree in (output rows padded to oPad), writes the descriptor and the batch-order positions. */
export function fillUfb(f32: Float32Array, i32: Int32Array, lay: UfbLayout, d: UfbDims, w: UfbWeights): void {
  const { i, o, oPad, nodes, batch } = d;
  f32.set(w.nodeIn, lay.nodeIn / 4);
  for (let k = 0; k < nodes; k++) f32.set(w.nodeOut.subarray(k * o, (k + 1) * o), lay.nodeOut / 4 + k * oPad);
  writeUfbDescriptor(i32, lay.desc, {
    x: lay.x,
    i,
    nodeIn: lay.nodeIn,
    nodeOut: lay.nodeOut,
    top: d.top,
    levels: d.levels,
    nodeOf: lay.nodeOf,
    order: lay.order,
    y: lay.y,
    oPad,
    h: lay.h,
    act: activationMode(w.shape.activation),
  });
  for (let n = 0; n < batch; n++) i32[lay.order / 4 + n] = n;
}

export const UFB_STRATEGY = `two phases, as the FFF's walk: the input read in place (Kernel.inputs; another array copied in) in chunks of ${UFB_CHUNK_BYTES / 1024} KiB, each chunk's samples walking the top levels (as many as keep ${TOP_TREE_BYTES / 1024} KiB of input rows; all of them for batches under ${TWO_PHASE_FROM_BATCH}) while it is in cache, act(a) of each level kept in a small table a sample; then the batch sorted by the node reached (counting sort) and every sample walking the rest four at a time (one f32x4 lane each), a subtree's rows read once for its samples, and writing its output once — the sum over its D + 1 nodes of act(a) times the node's output row, 32 columns at a time in registers`;

export function describeUfb(shape: LayerShape, batch: number): string {
  return `UltraFastBERT tree i=${shape.inputDim} o=${shape.outputDim} depth=${shape.depth} batch=${batch}`;
}

export function prepareUfb(module: WebAssembly.Module, w: UfbWeights, batch: number, inputBatches = 1): Kernel {
  const d = ufbDims(w.shape, batch);
  const lay = layoutUfb(d, inputBatches);
  const memory = lay.arena.createMemory(describeUfb(w.shape, batch));
  const { kernels, f32 } = instantiate(module, memory);
  fillUfb(f32, new Int32Array(memory.buffer), lay, d, w);
  return oneThreadUfb(kernels, memory, lay, d);
}

/**
 * The kernel on the calling thread alone, over a memory laid out by layoutUfb and filled by
 * fillUfb: each chunk walked right after it is copied in (or where it lies), then the batch sorted
 * and routed. The wasm backend's kernel, and wasm-mt's for a case too small for threads.
 */
export function oneThreadUfb(kernels: KernelExports, memory: WebAssembly.Memory, lay: UfbLayout, d: UfbDims): Kernel {
  const f32 = new Float32Array(memory.buffer);
  const i32 = new Int32Array(memory.buffer);
  const inputs = inputViews(memory, lay, d);
  const { i, o, oPad, top, levels, chunkRows, batch } = d;
  const buckets = new LeafGroups(2 ** top, batch, new Int32Array(memory.buffer, lay.order, batch));
  const nodeOfView = new Int32Array(memory.buffer, lay.nodeOf, batch);
  return {
    inputs,
    run(input) {
      const inPlace = pointAtInput(i32, lay, inputs, input);
      for (let r = 0; r < batch; r += chunkRows) {
        const rows = Math.min(chunkRows, batch - r);
        if (!inPlace) f32.set(input.subarray(r * i, (r + rows) * i), lay.x / 4 + r * i);
        kernels.ufb_top(lay.desc, r, r + rows);
      }
      // a batch walked whole in the first phase keeps batch order: ufb_route only writes the outputs
      if (top < levels) buckets.group(nodeOfView, batch);
      kernels.ufb_route(lay.desc, 0, batch);
    },
    output: () => readRows(f32, lay.y, batch, o, oPad),
    ...outputViewOf(memory, lay, d),
    dispose() {},
  };
}

/** Kernel.outputView: the output rows where ufb_route writes them, when they are not padded (o a multiple of PANEL). */
export function outputViewOf(memory: WebAssembly.Memory, lay: UfbLayout, d: UfbDims): { outputView?: Float32Array } {
  return d.o === d.oPad ? { outputView: new Float32Array(memory.buffer, lay.y, d.batch * d.o) } : {};
}
