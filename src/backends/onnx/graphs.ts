/**
 * ONNX graphs of the dense FF and the FFF, for one batch size (input 'x' [B, i] float32, output 'y' [B, o]).
 *
 * Dense FF: Gemm(x, W1, b1) → activation → Gemm(·, W2, b2). Gemm carries the bias in the same
 * kernel call, and onnxruntime fuses Gemm + Relu.
 *
 * FFF hard inference, the level-by-level tree walk unrolled for depth d (as the reference
 * `fastfeedforward` v0.2.0 does it in PyTorch):
 *   level 0:  score = x·w₀ + b₀ (every sample is at the root: one MatMul against one row)
 *   level m:  score = ReduceSum(x ⊙ Gather(nodeW, idx)) + Gather(nodeB, idx)
 *   each level: idx ← 2·idx + 1 + (score ≥ 0)      (heap order: children of k are 2k+1, 2k+2)
 *   leaf = idx − (2^d − 1); W1, b1, W2, b2 of each sample's leaf gathered to [B, i, ℓ] etc.;
 *   y = act([B,1,i] × [B,i,ℓ] + b1) × [B,ℓ,o] + b2   (batched MatMul)
 * Depth 0 has a single leaf and no walk: the leaf is a plain dense FF of width ℓ.
 *
 * UltraFastBERT's tree has its own graph (graphs-ufb.ts); the activation is shared (activation.ts).
 */
import type { Activation } from '../../model/activation.ts';
import { weightBytes } from '../../model/cost.ts';
import { leafCount, nodeCount } from '../../model/shape.ts';
import type { DenseWeights, FffWeights, Weights } from '../../model/weights.ts';
import { activate } from './activation.ts';
import { ufbGraph } from './graphs-ufb.ts';
import { encodeModel, GraphBuilder, type OnnxGraph, type OnnxTensor, type WeightPlacement } from './onnx-model.ts';

export const INPUT_NAME = 'x';
export const OUTPUT_NAME = 'y';

/** x [B,i] → act(x·W1 + b1)·W2 + b2 [B,o] with two Gemm nodes. */
function denseLayer(
  g: GraphBuilder,
  x: string,
  p: { w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array; i: number; width: number; o: number; activation: Activation },
): void {
  const w1 = g.weight('W1', p.w1, [p.i, p.width]);
  const b1 = g.weight('b1', p.b1, [p.width]);
  const w2 = g.weight('W2', p.w2, [p.width, p.o]);
  const b2 = g.weight('b2', p.b2, [p.o]);
  const hidden = activate(g, g.op('Gemm', [x, w1, b1]), p.activation);
  g.op('Gemm', [hidden, w2, b2], undefined, OUTPUT_NAME);
}

export function denseGraph(w: DenseWeights, batch: number): OnnxGraph {
  const { inputDim: i, outputDim: o, activation } = w.shape;
  const g = new GraphBuilder();
  const x = g.input(INPUT_NAME, 'float32', [batch, i]);
  denseLayer(g, x, { w1: w.w1, b1: w.b1, w2: w.w2, b2: w.b2, i, width: w.width, o, activation });
  return g.build('dense_ff', [{ name: OUTPUT_NAME, elemType: 'float32', dims: [batch, o] }]);
}

export function fffGraph(w: FffWeights, batch: number): OnnxGraph {
  const { inputDim: i, outputDim: o, depth, leafWidth: l, activation } = w.shape;
  const g = new GraphBuilder();
  const x = g.input(INPUT_NAME, 'float32', [batch, i]);
  const outputs = [{ name: OUTPUT_NAME, elemType: 'float32' as const, dims: [batch, o] }];
  if (depth === 0) {
    denseLayer(g, x, { w1: w.leafW1, b1: w.leafB1, w2: w.leafW2, b2: w.leafB2, i, width: l, o, activation });
    return g.build('fff_depth0', outputs);
  }

  // --- tree walk ---
  const zero = g.float('zero', [0], []);
  const one = g.int64('one_i64', [1], []);
  const goesRight = (score: string) => g.op('Cast', [g.op('GreaterOrEqual', [score, zero])], { to: 7 /* INT64 */ });

  // level 0: all samples at the root; MatMul with a 1-D second operand gives [B]
  const rootScore = g.op('Add', [
    g.op('MatMul', [x, g.weight('root_w', w.nodeWeights.subarray(0, i), [i])]),
    g.weight('root_b', w.nodeBias.subarray(0, 1), []),
  ]);
  let idx = g.op('Add', [goesRight(rootScore), one]);
  if (depth > 1) {
    const two = g.int64('two_i64', [2], []);
    const sumAxes = g.int64('axes_1', [1]);
    const nodeW = g.weight('node_W', w.nodeWeights, [nodeCount(depth), i]);
    const nodeB = g.weight('node_b', w.nodeBias, [nodeCount(depth)]);
    for (let level = 1; level < depth; level++) {
      const rows = g.op('Gather', [nodeW, idx], { axis: 0 }); // [B, i]
      const dot = g.op('ReduceSum', [g.op('Mul', [x, rows]), sumAxes], { keepdims: 0 }); // [B]
      const score = g.op('Add', [dot, g.op('Gather', [nodeB, idx], { axis: 0 })]);
      idx = g.op('Add', [g.op('Add', [g.op('Mul', [idx, two]), one]), goesRight(score)]);
    }
  }
  const leaf = g.op('Sub', [idx, g.int64('first_leaf', [nodeCount(depth)], [])]);

  // --- the leaf's FF with gathered weights ---
  const leaves = leafCount(depth);
  const gatherLeaf = (name: string, data: Float32Array, dims: number[]) => g.op('Gather', [g.weight(name, data, [leaves, ...dims]), leaf], { axis: 0 });
  const w1 = gatherLeaf('leaf_W1', w.leafW1, [i, l]); // [B, i, ℓ]
  const b1 = gatherLeaf('leaf_b1', w.leafB1, [l]); // [B, ℓ]
  const w2 = gatherLeaf('leaf_W2', w.leafW2, [l, o]); // [B, ℓ, o]
  const b2 = gatherLeaf('leaf_b2', w.leafB2, [o]); // [B, o]
  const x3 = g.op('Reshape', [x, g.int64('shape_B1i', [batch, 1, i])]);
  const h = g.op('Add', [g.op('Reshape', [g.op('MatMul', [x3, w1]), g.int64('shape_Bl', [batch, l])]), b1]);
  const a3 = g.op('Reshape', [activate(g, h, activation), g.int64('shape_B1l', [batch, 1, l])]);
  const y = g.op('Reshape', [g.op('MatMul', [a3, w2]), g.int64('shape_Bo', [batch, o])]);
  g.op('Add', [y, b2], undefined, OUTPUT_NAME);
  return g.build(`fff_depth${depth}`, outputs);
}

/**
 * Parameter bytes the model may hold as initializers: protobuf cannot parse a message of 2 GiB or
 * more, and 64 MiB is left for the graph, the small constants and the root row written twice.
 */
export const MAX_MODEL_BYTES = 2 ** 31 - 64 * 2 ** 20;

/**
 * A dense layer past MAX_MODEL_BYTES runs as hidden chunks of at most this many parameter bytes,
 * one session each, their outputs summed (see session.ts). Chunks keep the weights constants,
 * which MLAS prepacks once: fed as graph inputs instead, the dense Gemm repacks its weights on
 * every call and ran 1.2–1.3x slower at batch 256 (2.6x at batch 16) — a slower baseline would
 * inflate every speedup read against it. 512 MiB keeps the transient copies of creating one
 * session small next to the prepacked whole.
 */
export const DENSE_CHUNK_BYTES = 512 * 2 ** 20;

export interface BuildOptions {
  /** Parameter bytes above which a model leaves the protobuf (default MAX_MODEL_BYTES); tests force it small. */
  maxModelBytes?: number;
  /** Parameter bytes of one hidden chunk of a dense layer past maxModelBytes (default DENSE_CHUNK_BYTES). */
  denseChunkBytes?: number;
}

/**
 * The dense layer as hidden chunks of at most `chunkBytes` of parameters: chunk k holds hidden
 * units [start, start + size) — its W1 columns (copied: W1 is row-major), b1 and W2 rows (views)
 * — and the summed outputs of all chunks are the layer's: y = Σ_k act(x·W1_k + b1_k)·W2_k + b2,
 * with b2 carried by the first chunk only.
 */
export function* denseChunks(w: DenseWeights, chunkBytes: number): Generator<DenseWeights> {
  const { inputDim: i, outputDim: o } = w.shape;
  const unitBytes = (i + 1 + o) * 4;
  const units = Math.max(1, Math.floor(chunkBytes / unitBytes));
  // One chunk at a time: only the chunk being opened holds a copy of its W1 columns.
  for (let start = 0; start < w.width; start += units) {
    const size = Math.min(units, w.width - start);
    const w1 = new Float32Array(i * size);
    for (let r = 0; r < i; r++) w1.set(w.w1.subarray(r * w.width + start, r * w.width + start + size), r * size);
    yield {
      ...w,
      width: size,
      w1,
      b1: w.b1.subarray(start, start + size),
      w2: w.w2.subarray(start * o, (start + size) * o),
      b2: start === 0 ? w.b2 : new Float32Array(o),
    };
  }
}

/** A serialised model and what the session needs besides it. */
export interface OrtModel {
  bytes: Uint8Array;
  placement: WeightPlacement;
  /** 'inputs': the parameters to feed on every run, in graph-input order, holding the weights' own arrays. */
  weightInputs: OnnxTensor[];
}

/**
 * Bytes of every parameter of `weights` (what the initializers would hold, less the repeated root
 * row): the cost model's weightBytes, the figure the memory budget and weightCopies also read.
 */
export function parameterBytes(weights: Weights): number {
  return weightBytes(weights.kind, weights.shape);
}

/** The placement buildModel picks for parameters of `bytes`. */
export function placementFor(bytes: number, options: BuildOptions = {}): WeightPlacement {
  return bytes > (options.maxModelBytes ?? MAX_MODEL_BYTES) ? 'inputs' : 'initializers';
}

/**
 * The ONNX model of `weights` for a fixed batch size (for 'ufb', the rows of one chunk: see
 * ufbBatchChunks): the parameters as initializers while they fit in a protobuf, else as graph
 * inputs (the model is then a few kB, whatever the weights).
 */
export function buildModel(weights: Weights, batch: number, options: BuildOptions = {}): OrtModel {
  const graph = weights.kind === 'dense' ? denseGraph(weights, batch) : weights.kind === 'ufb' ? ufbGraph(weights, batch) : fffGraph(weights, batch);
  const placement = placementFor(parameterBytes(weights), options);
  return {
    bytes: encodeModel(graph, placement),
    placement,
    weightInputs: placement === 'inputs' ? graph.initializers.filter((t) => t.weight) : [],
  };
}
