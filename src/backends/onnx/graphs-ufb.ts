/**
 * ONNX graph of UltraFastBERT's tree (model 'ufb', see model/weights.ts) for a fixed number of
 * rows R (input 'x' [R, i] float32, output 'y' [R, o]: graphs.ts's INPUT_NAME and OUTPUT_NAME),
 * level-synchronous across the rows.
 * Per row: node = 0; at each of the D + 1 levels a = nodeIn[node]·x, y += act(a)·nodeOut[node],
 * node ← 2·node + 1 + (a ≥ 0).
 *
 *   Top levels 0 … T−1 (T = UFB_GEMM_LEVELS): one Gemm scores every row against all 2^T − 1 top
 *   nodes ([R, 2^T − 1]); each level picks its node's column (GatherElements) and steps to the
 *   child. The picked scores' activations are scattered into a zero [R, 2^T − 1] matrix
 *   (ScatterElements) and one MatMul with the top nodes' output rows adds them all to y.
 *   Lower levels T … D: Gather each row's node input row, Mul + ReduceSum with x, step to the
 *   child; the levels' node indices and scores are kept, and at the end their output rows are
 *   gathered at once ([R, n, o], n = D + 1 − T) for one batched MatMul [R,1,n] × [R,n,o].
 *
 * Why this shape (onnxruntime 1.30, i = o = 768, D = 11, medians of 3 to 5 interleaved rounds in
 * one process; ort-node 2 threads, ort-wasm, ort-wasm-mt 2 threads):
 *   - the dot product (T = 1, the batch in one run): Gather + Mul + ReduceSum beat a batched
 *     MatMul [R,1,i]×[R,i,1] (1.4x faster at batch 16384, 1.8x at 256 on ort-node) and Einsum
 *     'bi,bi->b' (2.2x, 3.1x);
 *   - the top levels as one Gemm: 2^T − 1 dot products per row where the walk needs T, but a GEMM
 *     runs near the machine's peak while each gathered level is memory-bound; T = 5 was fastest or
 *     within noise of it everywhere (ort-node, batch 16384 in one run: T = 1 275 ms, T = 6 180 ms;
 *     in chunks of 512 rows: T = 4 114, T = 5 108, T = 6 111 ms; ort-wasm: T = 6 13% slower than 5);
 *   - the lower levels' outputs gathered once for a batched MatMul: 1.2x faster than Mul +
 *     ReduceSum over the same gathered rows, and than adding each level's row as it is reached;
 *   - rows in chunks (ufbBatchChunks): see there.
 */
import type { UfbWeights } from '../../model/weights.ts';
import { ufbNodeCount } from '../../model/shape.ts';
import { activate } from './activation.ts';
import { GraphBuilder, type OnnxGraph } from './onnx-model.ts';

/** Levels whose scores one Gemm computes for every node of the level (fewer where the tree is shallower). */
export const UFB_GEMM_LEVELS = 5;

/**
 * Largest number of rows one session run takes: a larger batch runs as chunks of at most this
 * many rows, one run each, so that the gathered rows and products of a level stay in cache
 * between the Gather, Mul and ReduceSum that read them. At batch 16384, chunks of 256 against
 * the whole batch in one run (medians of 5 rounds): ort-node 110 against 201 ms, ort-wasm 301
 * against 508 ms, ort-wasm-mt 188 against 267 ms; chunks of 512 and 1024 were as fast or slower.
 * Splitting the batch inside one graph (Split … Concat) ran 1.2x slower than separate runs on
 * ort-node: the Split and Concat copy the batch.
 */
export const UFB_CHUNK_ROWS = 256;

/**
 * How a batch runs: `chunks` session runs of `rows` rows each, rows = ⌈batch / chunks⌉, so the
 * last chunk is padded by fewer than `chunks` rows (batch 257: two runs of 129 rows, one padded).
 */
export function ufbBatchChunks(batch: number): { chunks: number; rows: number } {
  const chunks = Math.ceil(batch / UFB_CHUNK_ROWS);
  return { chunks, rows: Math.ceil(batch / chunks) };
}

/** What runs, for the backends' info(). */
export const UFB_STRATEGY =
  `level-synchronous walk in chunks of up to ${UFB_CHUNK_ROWS} rows (one session run each): the top ${UFB_GEMM_LEVELS} levels scored for all ` +
  `their ${2 ** UFB_GEMM_LEVELS - 1} nodes by one Gemm (GatherElements picks each level's node, ScatterElements + MatMul add their outputs); ` +
  "each lower level Gathers the rows' node weights, Mul + ReduceSum, GreaterOrEqual; their output rows gathered once for a batched MatMul";

export function ufbGraph(w: UfbWeights, rows: number): OnnxGraph {
  const { inputDim: i, outputDim: o, depth, activation } = w.shape;
  const levels = depth + 1;
  const top = Math.min(UFB_GEMM_LEVELS, levels);
  const topNodes = 2 ** top - 1;
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', [rows, i]);
  const outputs = [{ name: 'y', elemType: 'float32' as const, dims: [rows, o] }];
  const one = g.int64('one_i64', [1], []);
  const two = g.int64('two_i64', [2], []);
  const zero = g.float('zero', [0], []);
  /** 2·idx + 1 + (a ≥ 0): the child the score sends each row to (heap order). */
  const child = (idx: string, a: string) =>
    g.op('Add', [g.op('Add', [g.op('Mul', [idx, two]), one]), g.op('Cast', [g.op('GreaterOrEqual', [a, zero])], { to: 7 /* INT64 */ })]);

  // --- top levels: all their nodes' scores by one Gemm, each level picks its column ---
  const scores = g.op('Gemm', [x, g.weight('top_in', w.nodeIn.subarray(0, topNodes * i), [topNodes, i])], { transB: 1 }); // [R, 2^T − 1]
  let idx = g.int64('root', new Array<number>(rows).fill(0), [rows, 1]); // [R, 1]
  const topIdx: string[] = [];
  const topScores: string[] = [];
  for (let level = 0; level < top; level++) {
    const a = g.op('GatherElements', [scores, idx], { axis: 1 }); // [R, 1]
    topIdx.push(idx);
    topScores.push(a);
    idx = child(idx, a);
  }
  const concat = (parts: string[]) => (parts.length > 1 ? g.op('Concat', parts, { axis: 1 }) : parts[0]);
  const topActs = activate(g, concat(topScores), activation); // [R, T]
  const visited = g.op('ScatterElements', [g.float('zeros', new Array<number>(rows * topNodes).fill(0), [rows, topNodes]), concat(topIdx), topActs], {
    axis: 1,
  });
  const topOut = g.weight('top_out', w.nodeOut.subarray(0, topNodes * o), [topNodes, o]);
  if (top === levels) {
    g.op('MatMul', [visited, topOut], undefined, 'y');
    return g.build(`ufb_depth${depth}`, outputs);
  }
  const yTop = g.op('MatMul', [visited, topOut]); // [R, o]

  // --- lower levels: gather each row's node, one level at a time ---
  const nodes = ufbNodeCount(depth);
  const nodeIn = g.weight('node_in', w.nodeIn, [nodes, i]);
  const axis1 = g.int64('axes_1', [1]);
  idx = g.op('Reshape', [idx, g.int64('shape_R', [rows])]); // [R]
  const lowIdx: string[] = [];
  const lowScores: string[] = [];
  for (let level = top; level < levels; level++) {
    const a = g.op('ReduceSum', [g.op('Mul', [g.op('Gather', [nodeIn, idx], { axis: 0 }), x]), axis1], { keepdims: 0 }); // [R]
    lowIdx.push(g.op('Unsqueeze', [idx, axis1]));
    lowScores.push(g.op('Unsqueeze', [a, axis1]));
    if (level < levels - 1) idx = child(idx, a);
  }
  const n = levels - top;
  const outRows = g.op('Gather', [g.weight('node_out', w.nodeOut, [nodes, o]), concat(lowIdx)], { axis: 0 }); // [R, n, o]
  const lowActs = g.op('Reshape', [activate(g, concat(lowScores), activation), g.int64('shape_R1n', [rows, 1, n])]);
  const yLow = g.op('Reshape', [g.op('MatMul', [lowActs, outRows]), g.int64('shape_Ro', [rows, o])]);
  g.op('Add', [yTop, yLow], undefined, 'y');
  return g.build(`ufb_depth${depth}`, outputs);
}
