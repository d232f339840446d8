/**
 * ONNX graphs of the encoder layer (model/encoder.ts) for a fixed batch of sequences, tokens as rows:
 * input 'x' [T, H], T = batch · seqLen, H the hidden size, float32.
 *
 *   attention half  x → h:  qkv = Gemm(x, Wqkv, bqkv) [T, 3H] → Reshape [B, S, 3, heads, dh] →
 *                   Transpose [3, B, heads, S, dh] → Gather q, k, v; p = Softmax(q·kᵀ · 1/√dh);
 *                   ctx = p·v → Transpose, Reshape [T, H]; h = LayerNormalization(x + Gemm(ctx, Wo, bo))
 *   dense FFN       h → f:  Gemm(GELU(Gemm(h, W1, b1)), W2, b2)
 *   add and norm    h, f₀ … f_{K−1} → y:  LayerNormalization(h + Σ f_k)
 *
 * The dense layer runs as one graph of all three (denseEncoderGraph); the tree layer's attention
 * half and its add and norm are graphs of their own around the trees, which run on another backend
 * (src/execute/encoder-pipeline.ts). The parts also run one by one to time the split. Weights are
 * initializers (constants onnxruntime folds and prepacks): BERT-base's are 28 MB at most.
 *
 * onnxruntime's optimiser at level 'all' fuses what it recognises (Gemm + activation, GELU, Add +
 * LayerNormalization into SkipLayerNormalization); the graphs use only default-domain ops (opset 17:
 * LayerNormalization is new there).
 */
import type { EncoderWeights } from '../../model/encoder.ts';
import { LAYER_NORM_EPSILON } from '../../model/encoder.ts';
import { activate } from './activation.ts';
import { encodeModel, GraphBuilder } from './onnx-model.ts';

/** The names of the parts' inputs and outputs. */
export const ENCODER_NAMES = { input: 'x', attention: 'h', output: 'y', feedforward: (k: number) => `f${k}` } as const;

/** A serialised graph with the dims of each of its inputs and outputs (GraphEngine.open). */
export interface EncoderGraph {
  model: Uint8Array;
  dims: Record<string, number[]>;
}

interface Sizes {
  tokens: number;
  sequences: number;
  seqLen: number;
  hidden: number;
  heads: number;
}

function sizesOf(w: EncoderWeights, sequences: number): Sizes {
  const { seqLen, heads } = w.shape.encoder!;
  return { tokens: sequences * seqLen, sequences, seqLen, hidden: w.shape.inputDim, heads };
}

function layerNorm(g: GraphBuilder, z: string, gamma: Float32Array, beta: Float32Array, prefix: string, output?: string): string {
  const n = gamma.length;
  return g.op(
    'LayerNormalization',
    [z, g.weight(`${prefix}_gamma`, gamma, [n]), g.weight(`${prefix}_beta`, beta, [n])],
    { axis: -1, epsilon: { float: LAYER_NORM_EPSILON } },
    output,
  );
}

/** x [T, H] → h [T, H]: self-attention within each sequence, output projection, residual, LayerNorm₁. */
function attentionHalf(g: GraphBuilder, w: EncoderWeights, s: Sizes, x: string, output?: string): string {
  const { tokens, sequences, seqLen, hidden, heads } = s;
  const dh = hidden / heads;
  const qkv = g.op('Gemm', [x, g.weight('Wqkv', w.wqkv, [hidden, 3 * hidden]), g.weight('bqkv', w.bqkv, [3 * hidden])]);
  const split = g.op('Transpose', [g.op('Reshape', [qkv, g.int64('shape_BS3nd', [sequences, seqLen, 3, heads, dh])])], { perm: [2, 0, 3, 1, 4] }); // [3, B, heads, S, dh]
  const part = (k: number) => g.op('Gather', [split, g.int64(`part_${k}`, [k], [])], { axis: 0 }); // [B, heads, S, dh]
  const [q, k, v] = [part(0), part(1), part(2)];
  const scores = g.op('Mul', [g.op('MatMul', [q, g.op('Transpose', [k], { perm: [0, 1, 3, 2] })]), g.float('inv_sqrt_dh', [1 / Math.sqrt(dh)], [])]); // [B, heads, S, S]
  const context = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]); // [B, heads, S, dh]
  const merged = g.op('Reshape', [g.op('Transpose', [context], { perm: [0, 2, 1, 3] }), g.int64('shape_TH', [tokens, hidden])]);
  const projected = g.op('Gemm', [merged, g.weight('Wo', w.wo, [hidden, hidden]), g.weight('bo', w.bo, [hidden])]);
  return layerNorm(g, g.op('Add', [x, projected]), w.norm1.gamma, w.norm1.beta, 'norm1', output);
}

/** h [T, H] → f [T, H]: the dense feedforward with GELU. */
function denseFeedforward(g: GraphBuilder, w: EncoderWeights, h: string, output?: string): string {
  if (w.feedforward.kind !== 'dense') throw new Error('denseFeedforward: the layer has a tree feedforward');
  const d = w.feedforward.dense;
  const hidden = d.shape.inputDim;
  const inner = activate(g, g.op('Gemm', [h, g.weight('W1', d.w1, [hidden, d.width]), g.weight('b1', d.b1, [d.width])]), 'gelu');
  return g.op('Gemm', [inner, g.weight('W2', d.w2, [d.width, hidden]), g.weight('b2', d.b2, [hidden])], undefined, output);
}

/** y = LayerNorm₂(h + Σ f_k). */
function addNorm(g: GraphBuilder, w: EncoderWeights, h: string, fs: string[], output: string): string {
  const sum = fs.length === 1 ? g.op('Add', [h, fs[0]]) : g.op('Sum', [h, ...fs]);
  return layerNorm(g, sum, w.norm2.gamma, w.norm2.beta, 'norm2', output);
}

function finish(g: GraphBuilder, name: string, dims: Record<string, number[]>, outputs: string[]): EncoderGraph {
  const graph = g.build(
    name,
    outputs.map((o) => ({ name: o, elemType: 'float32' as const, dims: dims[o] })),
  );
  return { model: encodeModel(graph), dims };
}

/** The whole layer with its dense feedforward, one graph: x → y. */
export function denseEncoderGraph(w: EncoderWeights, sequences: number): EncoderGraph {
  const s = sizesOf(w, sequences);
  const g = new GraphBuilder();
  const { input: x, output: y } = ENCODER_NAMES;
  g.input(x, 'float32', [s.tokens, s.hidden]);
  const h = attentionHalf(g, w, s, x);
  addNorm(g, w, h, [denseFeedforward(g, w, h)], y);
  return finish(g, 'encoder_dense', { [x]: [s.tokens, s.hidden], [y]: [s.tokens, s.hidden] }, [y]);
}

/** The attention half alone: x → h. */
export function attentionGraph(w: EncoderWeights, sequences: number): EncoderGraph {
  const s = sizesOf(w, sequences);
  const g = new GraphBuilder();
  const { input: x, attention: h } = ENCODER_NAMES;
  g.input(x, 'float32', [s.tokens, s.hidden]);
  attentionHalf(g, w, s, x, h);
  return finish(g, 'encoder_attention', { [x]: [s.tokens, s.hidden], [h]: [s.tokens, s.hidden] }, [h]);
}

/** The dense feedforward alone: h → f0. */
export function denseFeedforwardGraph(w: EncoderWeights, sequences: number): EncoderGraph {
  const s = sizesOf(w, sequences);
  const g = new GraphBuilder();
  const { attention: h } = ENCODER_NAMES;
  const f = ENCODER_NAMES.feedforward(0);
  g.input(h, 'float32', [s.tokens, s.hidden]);
  denseFeedforward(g, w, h, f);
  return finish(g, 'encoder_dense_ffn', { [h]: [s.tokens, s.hidden], [f]: [s.tokens, s.hidden] }, [f]);
}

/** The residual and LayerNorm₂ after `parts` feedforward outputs (one per tree, or the dense layer's): h, f0 … → y. */
export function addNormGraph(w: EncoderWeights, sequences: number, parts: number): EncoderGraph {
  const s = sizesOf(w, sequences);
  const g = new GraphBuilder();
  const { attention: h, output: y } = ENCODER_NAMES;
  const dims: Record<string, number[]> = { [h]: [s.tokens, s.hidden], [y]: [s.tokens, s.hidden] };
  g.input(h, 'float32', [s.tokens, s.hidden]);
  const fs = Array.from({ length: parts }, (_, k) => {
    const f = ENCODER_NAMES.feedforward(k);
    dims[f] = [s.tokens, s.hidden];
    return g.input(f, 'float32', [s.tokens, s.hidden]);
  });
  addNorm(g, w, h, fs, y);
  return finish(g, 'encoder_add_norm', dims, [y]);
}
