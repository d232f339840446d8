/**
 * The float64 reference of the encoder layer (encoder.ts), for chosen tokens of one sequence:
 *
 *   q, k, v = x·Wq + bq, x·Wk + bk, x·Wv + bv            (every token of the sequence for k and v)
 *   per head n: p = softmax(q_n·k_nᵀ / √dh), ctx_n = p·v_n
 *   h = LayerNorm₁(x + ctx·Wo + bo)
 *   y = LayerNorm₂(h + FFN(h))                            LayerNorm(z) = γ·(z − mean) / √(var + ε) + β
 *
 * (var the population variance, ε = 1e-12, as BERT and ONNX's LayerNormalization.) Every sum adds
 * its terms in index order in float64.
 *
 * A tree feedforward decides a branch on the sign of a score computed from h; a float32 h differs
 * from this one in its last bits, so where a score is within `margin`·(its magnitude Σ|h·w|) of
 * zero either branch is admissible, as the `ufb` model's check allows (check.ts). Each token then
 * has one candidate output per admissible combination of paths (the first the float64 paths').
 */
import { gelu64 } from './activation.ts';
import { LAYER_NORM_EPSILON, type EncoderWeights } from './encoder.ts';
import type { DenseWeights, UfbWeights } from './weights.ts';

/** Most candidate paths followed per tree and token, and most candidate outputs per token. */
const PATHS_PER_TREE = 16;
const CANDIDATES_PER_TOKEN = 64;

/** LayerNorm of one row (float64), written into `out`. */
export function layerNorm64(z: ArrayLike<number>, gamma: Float32Array, beta: Float32Array, out: Float64Array = new Float64Array(z.length)): Float64Array {
  const n = z.length;
  let mean = 0;
  for (let c = 0; c < n; c++) mean += z[c];
  mean /= n;
  let variance = 0;
  for (let c = 0; c < n; c++) variance += (z[c] - mean) ** 2;
  variance /= n;
  const scale = 1 / Math.sqrt(variance + LAYER_NORM_EPSILON);
  for (let c = 0; c < n; c++) out[c] = gamma[c] * (z[c] - mean) * scale + beta[c];
  return out;
}

/** x·W[:, from … from + width) + b[from …] for the rows `rows` of x (each H wide); W is H × stride. */
function project(
  x: Float32Array,
  rows: number[],
  hidden: number,
  w: Float32Array,
  stride: number,
  b: Float32Array,
  from: number,
  width: number,
): Float64Array[] {
  return rows.map((r) => {
    const out = new Float64Array(width);
    for (let j = 0; j < width; j++) out[j] = b[from + j];
    for (let k = 0; k < hidden; k++) {
      const xk = x[r * hidden + k];
      const at = k * stride + from;
      for (let j = 0; j < width; j++) out[j] += xk * w[at + j];
    }
    return out;
  });
}

/**
 * The attention half's output h (after LayerNorm₁) at the given positions of sequence `sequence`
 * of `input` (batch × seqLen × H, row-major float32).
 */
export function attentionHalfRef(w: EncoderWeights, input: Float32Array, sequence: number, positions: number[]): Float64Array[] {
  const hidden = w.shape.inputDim;
  const { seqLen, heads } = w.shape.encoder!;
  const dh = hidden / heads;
  const first = sequence * seqLen;
  const all = Array.from({ length: seqLen }, (_, t) => first + t);
  const rows = positions.map((p) => first + p);
  const stride = 3 * hidden;
  const q = project(input, rows, hidden, w.wqkv, stride, w.bqkv, 0, hidden);
  const k = project(input, all, hidden, w.wqkv, stride, w.bqkv, hidden, hidden);
  const v = project(input, all, hidden, w.wqkv, stride, w.bqkv, 2 * hidden, hidden);
  const scale = 1 / Math.sqrt(dh);
  return rows.map((row, n) => {
    const context = new Float64Array(hidden);
    for (let head = 0; head < heads; head++) {
      const at = head * dh;
      const scores = new Float64Array(seqLen);
      let max = -Infinity;
      for (let t = 0; t < seqLen; t++) {
        let dot = 0;
        for (let d = 0; d < dh; d++) dot += q[n][at + d] * k[t][at + d];
        scores[t] = dot * scale;
        max = Math.max(max, scores[t]);
      }
      let sum = 0;
      for (let t = 0; t < seqLen; t++) sum += scores[t] = Math.exp(scores[t] - max);
      for (let t = 0; t < seqLen; t++) {
        const p = scores[t] / sum;
        for (let d = 0; d < dh; d++) context[at + d] += p * v[t][at + d];
      }
    }
    const z = new Float64Array(hidden);
    for (let c = 0; c < hidden; c++) z[c] = w.bo[c] + input[row * hidden + c];
    for (let j = 0; j < hidden; j++) {
      const cj = context[j];
      const at = j * hidden;
      for (let c = 0; c < hidden; c++) z[c] += cj * w.wo[at + c];
    }
    return layerNorm64(z, w.norm1.gamma, w.norm1.beta);
  });
}

/** The dense feedforward on one row: GELU(h·W1 + b1)·W2 + b2. */
export function denseFeedforwardRef(d: DenseWeights, h: Float64Array): Float64Array {
  const { inputDim: i, outputDim: o } = d.shape;
  const hiddenUnits = new Float64Array(d.width);
  for (let j = 0; j < d.width; j++) hiddenUnits[j] = d.b1[j];
  for (let k = 0; k < i; k++) {
    const hk = h[k];
    const at = k * d.width;
    for (let j = 0; j < d.width; j++) hiddenUnits[j] += hk * d.w1[at + j];
  }
  const out = new Float64Array(o);
  for (let c = 0; c < o; c++) out[c] = d.b2[c];
  for (let j = 0; j < d.width; j++) {
    const a = gelu64(hiddenUnits[j]);
    const at = j * o;
    for (let c = 0; c < o; c++) out[c] += a * d.w2[at + c];
  }
  return out;
}

/** A tree's score at `node` for row h: w·h and Σ|w·h|. */
function treeScore(t: UfbWeights, h: Float64Array, node: number): [number, number] {
  const i = t.shape.inputDim;
  let sum = 0;
  let mag = 0;
  for (let k = 0; k < i; k++) {
    const term = h[k] * t.nodeIn[node * i + k];
    sum += term;
    mag += Math.abs(term);
  }
  return [sum, mag];
}

/**
 * One tree on row h, once per admissible path (the float64 path first): Σ over the D + 1 nodes of
 * act(a)·nodeOut[node], going right iff a ≥ 0 (the `ufb` model, reference.ts).
 */
export function treeCandidatesRef(t: UfbWeights, h: Float64Array, margin: number): Float64Array[] {
  const o = t.shape.outputDim;
  let frontier: { node: number; out: Float64Array }[] = [{ node: 0, out: new Float64Array(o) }];
  for (let level = 0; level <= t.shape.depth; level++) {
    const next: typeof frontier = [];
    for (const { node, out } of frontier) {
      const [score, mag] = treeScore(t, h, node);
      const a = gelu64(score);
      for (let c = 0; c < o; c++) out[c] += a * t.nodeOut[node * o + c];
      if (level === t.shape.depth) {
        next.push({ node, out });
        continue;
      }
      const primary = 2 * node + (score >= 0 ? 2 : 1);
      next.push({ node: primary, out });
      if (Math.abs(score) <= margin * mag && next.length < PATHS_PER_TREE)
        next.push({ node: primary === 2 * node + 2 ? 2 * node + 1 : 2 * node + 2, out: out.slice() });
    }
    frontier = next;
  }
  return frontier.map((f) => f.out);
}

/** The feedforward's output on row h: one candidate for a dense layer, one per admissible combination of the trees' paths. */
export function feedforwardCandidatesRef(w: EncoderWeights, h: Float64Array, margin: number): Float64Array[] {
  const f = w.feedforward;
  if (f.kind === 'dense') return [denseFeedforwardRef(f.dense, h)];
  let sums: Float64Array[] = [new Float64Array(h.length)];
  for (const tree of f.trees) {
    const outs = treeCandidatesRef(tree, h, margin);
    const next: Float64Array[] = [];
    for (const sum of sums) {
      for (const out of outs) {
        if (next.length >= CANDIDATES_PER_TOKEN) break;
        next.push(sum.map((v, c) => v + out[c]));
      }
    }
    sums = next;
  }
  return sums;
}

/** The layer's output at the given positions of one sequence: per position, h and the candidate outputs y (the float64 paths' first). */
export function encoderForwardRef(
  w: EncoderWeights,
  input: Float32Array,
  sequence: number,
  positions: number[],
  margin = 0,
): { h: Float64Array; outputs: Float64Array[] }[] {
  return attentionHalfRef(w, input, sequence, positions).map((h) => ({
    h,
    outputs: feedforwardCandidatesRef(w, h, margin).map((f) =>
      layerNorm64(
        h.map((v, c) => v + f[c]),
        w.norm2.gamma,
        w.norm2.beta,
      ),
    ),
  }));
}

/** Multiply-adds of the reference for `positions` tokens of one sequence (its k and v for every token). */
export function referenceMacs(w: Pick<EncoderWeights, 'shape' | 'feedforward'>, positions: number): number {
  const hidden = w.shape.inputDim;
  const { seqLen } = w.shape.encoder!;
  const f = w.feedforward;
  const ffn = f.kind === 'dense' ? 2 * hidden * f.dense.width : f.trees.length * (f.trees[0].shape.depth + 1) * 2 * hidden;
  return seqLen * 2 * hidden * hidden + positions * (2 * hidden * hidden + 2 * seqLen * hidden + ffn);
}
