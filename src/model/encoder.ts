/**
 * The encoder layer (model `encoder`): one BERT-style transformer encoder layer, post-LayerNorm as
 * BERT has it, with its feedforward either a dense layer or UltraFastBERT's tree(s):
 *
 *   h = LayerNorm₁(x + Attention(x))          Attention: multi-head self-attention over each sequence
 *   y = LayerNorm₂(h + FFN(h))                FFN: act(h·W1 + b1)·W2 + b2, or Σ_k tree_k(h)
 *
 * BERT-base is hidden 768, 12 heads of 64, FFN 768 → 3072 → 768 with GELU, LayerNorm ε = 1e-12.
 * UltraFastBERT replaces the FFN with K trees of depth D whose outputs are summed ("KxD"; 1x11 is
 * one tree of 4095 nodes, 12 used per token); each tree is exactly the `ufb` model (weights.ts).
 *
 * A case's shape (schema.ts) says which: inputDim = outputDim = the hidden size, batchSize the
 * sequences per call, `encoder.seqLen` their length and `encoder.heads` the heads; the dense FFN
 * of width W has no `tree`, depth 0 and leaf width W (the FFF paper's depth-0 FFF: one leaf, a plain
 * FF of width ℓ); the tree FFN has `tree` "ufb", `encoder.trees` = K, `depth` = D and leaf width 1.
 * Either way trainingWidth (shape.ts) is the feedforward's neurons: W, or the K·(2^(D+1) − 1) nodes.
 */
import type { CaseShape, LayerShape } from './shape.ts';
import { ufbNodeCount } from './shape.ts';
import { deriveSeed, Rng } from './rng.ts';
import { initDense, initUfb, type DenseWeights, type UfbWeights } from './weights.ts';

/**
 * The parts of a call, as its split times them: the attention half (projections, attention,
 * residual, LayerNorm₁), copies between engines, the feedforward, and the final residual and LayerNorm₂.
 */
export const ENCODER_PARTS = ['attention', 'copies', 'feedforward', 'addNorm'] as const;
export type EncoderPart = (typeof ENCODER_PARTS)[number];

/** BERT's LayerNorm epsilon. */
export const LAYER_NORM_EPSILON = 1e-12;

/** BERT-base: the sizes the shipped suite measures at. */
export const BERT_BASE = { hidden: 768, heads: 12, intermediate: 3072 } as const;

/** The feedforward of an encoder layer: a dense layer of `width`, or `trees` UltraFastBERT trees of `depth` summed. */
export type Feedforward = { kind: 'dense'; width: number } | { kind: 'ufb'; trees: number; depth: number };

/** How a suite and the report name a feedforward: "dense-3072", or UltraFastBERT's "KxD" ("1x11"). */
export function feedforwardName(f: Feedforward): string {
  return f.kind === 'dense' ? `dense-${f.width}` : `${f.trees}x${f.depth}`;
}

/** The most trees and the deepest tree a suite may ask for (UltraFastBERT's family runs from 3072x0 to 1x11). */
export const MAX_TREES = 4096;
export const MAX_TREE_DEPTH = 20;

/** The feedforward names a suite accepts, in words (its errors and its JSON Schema say so). */
export const FEEDFORWARD_FORMS = `"dense-W" (a dense layer of width W, e.g. "dense-3072") or "KxD" (K UltraFastBERT trees of depth D summed, e.g. "1x11"; K from 1 to ${MAX_TREES}, D at most ${MAX_TREE_DEPTH})`;

/** Parses a feedforward name ("dense-3072", "1x11"), or returns why it is not one. */
export function parseFeedforward(text: string): Feedforward | string {
  const dense = /^dense-(\d+)$/.exec(text);
  if (dense) {
    const width = Number(dense[1]);
    return width >= 1 ? { kind: 'dense', width } : `"${text}": a dense width must be at least 1`;
  }
  const tree = /^(\d+)x(\d+)$/.exec(text);
  if (tree) {
    const [trees, depth] = [Number(tree[1]), Number(tree[2])];
    if (trees < 1 || trees > MAX_TREES) return `"${text}": K (the trees) must be from 1 to ${MAX_TREES}`;
    if (depth > MAX_TREE_DEPTH) return `"${text}": D (the depth) must be at most ${MAX_TREE_DEPTH}`;
    return { kind: 'ufb', trees, depth };
  }
  return `"${text}" is not a feedforward: ${FEEDFORWARD_FORMS}`;
}

export interface EncoderConfig {
  hidden: number;
  heads: number;
  seqLen: number;
  /** Sequences per call. */
  batch: number;
  feedforward: Feedforward;
}

/** The case shape of an encoder layer (fields: see this file's header and schema.ts). */
export function encoderShape(c: EncoderConfig): CaseShape {
  const f = c.feedforward;
  // in the schema's key order, as a results file has them
  const io = { inputDim: c.hidden, outputDim: c.hidden };
  const run = { batchSize: c.batch, activation: 'gelu' as const };
  if (f.kind === 'dense') return { ...io, depth: 0, leafWidth: f.width, trainingWidth: f.width, ...run, encoder: { seqLen: c.seqLen, heads: c.heads } };
  return {
    ...io,
    depth: f.depth,
    leafWidth: 1,
    trainingWidth: f.trees * ufbNodeCount(f.depth),
    ...run,
    tree: 'ufb',
    encoder: { seqLen: c.seqLen, heads: c.heads, trees: f.trees },
  };
}

type EncoderFields = Pick<LayerShape, 'inputDim' | 'depth' | 'leafWidth' | 'tree' | 'encoder'>;

/** The encoder fields of a shape, or an error naming what is missing (a shape of another model). */
function encoderOf(s: Pick<LayerShape, 'encoder'>): NonNullable<LayerShape['encoder']> {
  if (!s.encoder) throw new Error('not an encoder shape (it has no "encoder" field)');
  return s.encoder;
}

/** The feedforward a shape's encoder layer has. */
export function feedforwardOf(s: EncoderFields): Feedforward {
  const e = encoderOf(s);
  return s.tree === 'ufb' ? { kind: 'ufb', trees: e.trees ?? 1, depth: s.depth } : { kind: 'dense', width: s.leafWidth };
}

/** Tokens one call runs: sequences × sequence length. */
export function tokensPerCall(s: Pick<CaseShape, 'batchSize' | 'encoder'>): number {
  return s.batchSize * encoderOf(s).seqLen;
}

/** The shape key of an encoder case (case.ts): "h768-a12-s128-b4-1x11", "h768-a12-s128-b4-dense-3072". */
export function encoderKey(s: CaseShape): string {
  const e = encoderOf(s);
  return `h${s.inputDim}-a${e.heads}-s${e.seqLen}-b${s.batchSize}-${feedforwardName(feedforwardOf(s))}`;
}

/** Why an encoder shape cannot be built, or undefined: the heads must divide the hidden size. */
export function encoderShapeProblem(c: Pick<EncoderConfig, 'hidden' | 'heads'>): string | undefined {
  return c.hidden % c.heads === 0 ? undefined : `hidden size ${c.hidden} is not a multiple of the ${c.heads} heads`;
}

/** One of the feedforward's trees as the `ufb` model's layer shape (hidden → hidden, GELU). */
export function treeShape(hidden: number, depth: number): LayerShape {
  return { inputDim: hidden, outputDim: hidden, depth, leafWidth: 1, activation: 'gelu', tree: 'ufb' };
}

/** The dense feedforward as the `dense` model's layer shape: depth 0 and leaf width W give training width W. */
export function denseFeedforwardShape(hidden: number, width: number): LayerShape {
  return { inputDim: hidden, outputDim: hidden, depth: 0, leafWidth: width, activation: 'gelu' };
}

/**
 * The encoder's parameters, row-major float32 (x·W convention):
 * - wqkv: H × 3H, the query, key and value projections side by side (columns [0, H), [H, 2H),
 *   [2H, 3H)); head n uses columns n·dh … (n + 1)·dh − 1 of each, dh = H / heads
 * - bqkv: 3H; wo: H × H, bo: H, the output projection
 * - norm1, norm2: the two LayerNorms' γ and β (H each)
 * - feedforward: the dense layer (a `dense` model's weights, width W, with biases as BERT's), or
 *   K trees (each a `ufb` model's weights: no biases)
 */
export interface EncoderWeights {
  kind: 'encoder';
  shape: LayerShape;
  wqkv: Float32Array;
  bqkv: Float32Array;
  wo: Float32Array;
  bo: Float32Array;
  norm1: { gamma: Float32Array; beta: Float32Array };
  norm2: { gamma: Float32Array; beta: Float32Array };
  feedforward: { kind: 'dense'; dense: DenseWeights } | { kind: 'ufb'; trees: UfbWeights[] };
}

/** γ = 1 + U(±0.1), β = U(±0.1): not the identity, so a LayerNorm that drops them fails the check. */
function initNorm(rng: Rng, hidden: number): { gamma: Float32Array; beta: Float32Array } {
  const gamma = rng.fillUniform(new Float32Array(hidden), 0.1);
  for (let c = 0; c < hidden; c++) gamma[c] = 1 + gamma[c];
  return { gamma, beta: rng.fillUniform(new Float32Array(hidden), 0.1) };
}

/**
 * The encoder's weights from `seed`. The attention half and both LayerNorms come from one stream
 * that depends only on the hidden size and the heads, so every feedforward variant sits in the same
 * layer; the projections and their biases are U(±1/√H) (PyTorch's Linear). The feedforward comes
 * from a stream of its own: the dense layer as the `dense` model draws it (initDense), tree k as
 * the `ufb` model draws it (initUfb) from deriveSeed(that stream's seed, "tree/k").
 */
export function initEncoder(shape: LayerShape, seed: number): EncoderWeights {
  const { inputDim: hidden } = shape;
  const { heads } = encoderOf(shape);
  const rng = new Rng(deriveSeed(seed, `attention/${hidden}/${heads}`));
  const bound = 1 / Math.sqrt(hidden);
  const attention = {
    wqkv: rng.fillUniform(new Float32Array(hidden * 3 * hidden), bound),
    bqkv: rng.fillUniform(new Float32Array(3 * hidden), bound),
    wo: rng.fillUniform(new Float32Array(hidden * hidden), bound),
    bo: rng.fillUniform(new Float32Array(hidden), bound),
    norm1: initNorm(rng, hidden),
    norm2: initNorm(rng, hidden),
  };
  const f = feedforwardOf(shape);
  const ffnSeed = deriveSeed(seed, `feedforward/${hidden}/${feedforwardName(f)}`);
  const feedforward: EncoderWeights['feedforward'] =
    f.kind === 'dense'
      ? { kind: 'dense', dense: initDense(denseFeedforwardShape(hidden, f.width), ffnSeed) }
      : { kind: 'ufb', trees: Array.from({ length: f.trees }, (_, k) => initUfb(treeShape(hidden, f.depth), treeSeed(ffnSeed, k))) };
  return { kind: 'encoder', shape, ...attention, feedforward };
}

/** The seed of tree k of a feedforward whose stream has seed `ffnSeed`. */
export function treeSeed(ffnSeed: number, k: number): number {
  return deriveSeed(ffnSeed, `tree/${k}`);
}

// --- cost (per sequence: a case's "sample" is one sequence of seqLen tokens) ---

const FLOAT_BYTES = 4;

/** The attention half's parameters: Q, K, V and output projections with biases, and both LayerNorms. */
export function attentionParameters(hidden: number): number {
  return 4 * hidden * hidden + 4 * hidden + 4 * hidden;
}

function feedforwardParameters(hidden: number, f: Feedforward): number {
  return f.kind === 'dense' ? 2 * hidden * f.width + f.width + hidden : f.trees * ufbNodeCount(f.depth) * 2 * hidden;
}

/**
 * Multiply-adds of one sequence: the four projections (4·S·H²), the scores and the weighted values
 * (2·S²·H), and the feedforward — 2·H·W a token for the dense layer, 2·H·K·(D + 1) for the trees
 * (each of the D + 1 nodes on a token's path in each tree reads an input and an output row).
 */
export function encoderMacsPerSequence(s: EncoderFields): number {
  const { seqLen } = encoderOf(s);
  const hidden = s.inputDim;
  const f = feedforwardOf(s);
  const ffn = f.kind === 'dense' ? 2 * hidden * f.width : 2 * hidden * f.trees * (f.depth + 1);
  return 4 * seqLen * hidden * hidden + 2 * seqLen * seqLen * hidden + seqLen * ffn;
}

/** Every parameter of the layer, in bytes. */
export function encoderWeightBytes(s: EncoderFields): number {
  const f = feedforwardOf(s);
  return (attentionParameters(s.inputDim) + feedforwardParameters(s.inputDim, f)) * FLOAT_BYTES;
}

/**
 * Parameter bytes one sequence must read: the attention half's all, and the dense feedforward's
 * all or, for the trees, the rows on its tokens' paths (K·(D + 1) input and output rows a token).
 */
export function encoderBytesTouchedPerSequence(s: EncoderFields): number {
  const f = feedforwardOf(s);
  const { seqLen } = encoderOf(s);
  const ffn = f.kind === 'dense' ? feedforwardParameters(s.inputDim, f) : seqLen * f.trees * (f.depth + 1) * 2 * s.inputDim;
  return (attentionParameters(s.inputDim) + ffn) * FLOAT_BYTES;
}
