/**
 * Float64 reference forward passes. Every backend's float32 output is checked against these
 * before it is timed; they favour clarity over speed.
 *
 * Each output comes with a magnitude: the same forward pass on absolute values
 * (Σ|x·w| + |b| at each layer). Float32 rounding error is bounded by a multiple of that
 * magnitude, so errors are reported relative to it — a plain relative error would explode
 * wherever a sum cancels to near zero.
 */
import { activation64 } from './activation.ts';
import { leafCount } from './shape.ts';
import type { DenseWeights, FffWeights, UfbWeights } from './weights.ts';

export interface ReferenceOutput {
  /** batch × o */
  output: Float64Array;
  /** batch × o, the absolute-value forward pass (error scale) */
  magnitude: Float64Array;
}

/**
 * Dense FF: y = act(x·W1 + b1)·W2 + b2. The weights are walked row by row, as they lie in memory
 * (a column walk of a depth-15 layer's 3 GB W1 misses the cache on every term and took minutes);
 * each sum still adds its terms in index order, so the result is the same to the last bit.
 */
export function denseForwardRef(w: DenseWeights, input: Float32Array, batch: number): ReferenceOutput {
  const { outputDim: o } = w.shape;
  const output = new Float64Array(batch * o);
  const magnitude = new Float64Array(batch * o);
  // Rows in blocks whose hidden layer stays a few tens of MB, however wide the layer.
  const block = Math.max(1, Math.floor(REFERENCE_HIDDEN_VALUES / w.width));
  for (let first = 0; first < batch; first += block) {
    denseBlockRef(w, input, first, Math.min(block, batch - first), output, magnitude);
  }
  return { output, magnitude };
}

/** Hidden values (each with its magnitude) the dense reference holds at once. */
const REFERENCE_HIDDEN_VALUES = 2 ** 21;

function denseBlockRef(w: DenseWeights, input: Float32Array, first: number, rows: number, output: Float64Array, magnitude: Float64Array): void {
  const { inputDim: i, outputDim: o, activation } = w.shape;
  const act = activation64(activation);
  const width = w.width;
  const hidden = new Float64Array(rows * width);
  const hiddenMag = new Float64Array(rows * width);
  for (let s = 0; s < rows; s++) {
    for (let j = 0; j < width; j++) {
      hidden[s * width + j] = w.b1[j];
      hiddenMag[s * width + j] = Math.abs(w.b1[j]);
    }
  }
  for (let k = 0; k < i; k++) {
    const row = w.w1.subarray(k * width, (k + 1) * width);
    for (let s = 0; s < rows; s++) {
      const xk = input[(first + s) * i + k];
      const at = s * width;
      for (let j = 0; j < width; j++) {
        const term = xk * row[j];
        hidden[at + j] += term;
        hiddenMag[at + j] += Math.abs(term);
      }
    }
  }
  for (let n = 0; n < rows * width; n++) hidden[n] = act(hidden[n]);
  for (let s = 0; s < rows; s++) {
    for (let c = 0; c < o; c++) {
      output[(first + s) * o + c] = w.b2[c];
      magnitude[(first + s) * o + c] = Math.abs(w.b2[c]);
    }
  }
  for (let j = 0; j < width; j++) {
    const row = w.w2.subarray(j * o, (j + 1) * o);
    for (let s = 0; s < rows; s++) {
      const h = hidden[s * width + j];
      const hm = hiddenMag[s * width + j];
      const at = (first + s) * o;
      for (let c = 0; c < o; c++) {
        output[at + c] += h * row[c];
        magnitude[at + c] += hm * Math.abs(row[c]);
      }
    }
  }
}

/** Score of node `node` for sample `s`: w·x + b, and its magnitude Σ|w·x| + |b|. */
function nodeScore(w: FffWeights, input: Float32Array, s: number, node: number): [number, number] {
  const i = w.shape.inputDim;
  let sum = w.nodeBias[node];
  let mag = Math.abs(sum);
  for (let k = 0; k < i; k++) {
    const term = input[s * i + k] * w.nodeWeights[node * i + k];
    sum += term;
    mag += Math.abs(term);
  }
  return [sum, mag];
}

/** Leaf λ's FF for sample s, written into out/outMag at offset 0. */
function leafForward(w: FffWeights, input: Float32Array, s: number, leaf: number, out: Float64Array, outMag: Float64Array): void {
  const { inputDim: i, outputDim: o, leafWidth: l, activation } = w.shape;
  const act = activation64(activation);
  const hidden = new Float64Array(l);
  const hiddenMag = new Float64Array(l);
  for (let j = 0; j < l; j++) {
    let sum = w.leafB1[leaf * l + j];
    let mag = Math.abs(sum);
    for (let k = 0; k < i; k++) {
      const term = input[s * i + k] * w.leafW1[(leaf * i + k) * l + j];
      sum += term;
      mag += Math.abs(term);
    }
    hidden[j] = act(sum);
    hiddenMag[j] = mag;
  }
  for (let c = 0; c < o; c++) {
    let sum = w.leafB2[leaf * o + c];
    let mag = Math.abs(sum);
    for (let j = 0; j < l; j++) {
      sum += hidden[j] * w.leafW2[(leaf * l + j) * o + c];
      mag += hiddenMag[j] * Math.abs(w.leafW2[(leaf * l + j) * o + c]);
    }
    out[c] = sum;
    outMag[c] = mag;
  }
}

export interface FffReferenceOutput extends ReferenceOutput {
  /** The leaf each sample reached (hard inference, float64 scores). */
  leaves: Int32Array;
}

/** Hard FFF inference: at each level go right iff w·x + b ≥ 0, then evaluate one leaf. */
export function fffForwardRef(w: FffWeights, input: Float32Array, batch: number): FffReferenceOutput {
  const { outputDim: o, depth } = w.shape;
  const output = new Float64Array(batch * o);
  const magnitude = new Float64Array(batch * o);
  const leaves = new Int32Array(batch);
  for (let s = 0; s < batch; s++) {
    let node = 0;
    for (let level = 0; level < depth; level++) {
      const [score] = nodeScore(w, input, s, node);
      node = 2 * node + (score >= 0 ? 2 : 1);
    }
    const leaf = node - (leafCount(depth) - 1);
    leaves[s] = leaf;
    leafForward(w, input, s, leaf, output.subarray(s * o), magnitude.subarray(s * o));
  }
  return { output, magnitude, leaves };
}

/**
 * The leaves a float32 implementation may legitimately reach for sample s: where a node score
 * is within `margin`·(its magnitude) of zero, rounding can send float32 either way, so both
 * subtrees are admissible. The first entry is the float64 path's leaf.
 */
export function admissibleLeaves(w: FffWeights, input: Float32Array, s: number, margin: number, cap = 16): number[] {
  const depth = w.shape.depth;
  const firstLeaf = leafCount(depth) - 1;
  let frontier = [0];
  for (let level = 0; level < depth; level++) {
    const next: number[] = [];
    for (const node of frontier) {
      const [score, mag] = nodeScore(w, input, s, node);
      const primary = 2 * node + (score >= 0 ? 2 : 1);
      next.push(primary);
      if (Math.abs(score) <= margin * mag && next.length < cap) next.push(primary === 2 * node + 2 ? 2 * node + 1 : 2 * node + 2);
    }
    frontier = next;
  }
  return frontier.map((node) => node - firstLeaf);
}

/** The output of leaf λ for sample s (used to check samples whose path is ambiguous in float32). */
export function leafForwardRef(w: FffWeights, input: Float32Array, s: number, leaf: number): ReferenceOutput {
  const o = w.shape.outputDim;
  const output = new Float64Array(o);
  const magnitude = new Float64Array(o);
  leafForward(w, input, s, leaf, output, magnitude);
  return { output, magnitude };
}

/**
 * Soft (training) FFF forward: Σ over leaves of (Π along the path of c or 1 − c) · leaf(x),
 * c = sigmoid(node score), right child weighted by c.
 */
export function fffSoftForwardRef(w: FffWeights, input: Float32Array, batch: number): Float64Array {
  const { outputDim: o, depth } = w.shape;
  const leaves = leafCount(depth);
  const output = new Float64Array(batch * o);
  const leafOut = new Float64Array(o);
  const leafMag = new Float64Array(o);
  for (let s = 0; s < batch; s++) {
    // mixture weight of every node, top-down in heap order
    const mix = new Float64Array(2 * leaves - 1);
    mix[0] = 1;
    for (let node = 0; node < leaves - 1; node++) {
      const [score] = nodeScore(w, input, s, node);
      const c = 1 / (1 + Math.exp(-score));
      mix[2 * node + 1] = mix[node] * (1 - c);
      mix[2 * node + 2] = mix[node] * c;
    }
    for (let leaf = 0; leaf < leaves; leaf++) {
      const weight = mix[leaves - 1 + leaf];
      leafForward(w, input, s, leaf, leafOut, leafMag);
      for (let c = 0; c < o; c++) output[s * o + c] += weight * leafOut[c];
    }
  }
  return output;
}

/** Score of UltraFastBERT node `node` for sample `s`: w·x (no bias), and its magnitude Σ|w·x|. */
function ufbNodeScore(w: UfbWeights, input: Float32Array, s: number, node: number): [number, number] {
  const i = w.shape.inputDim;
  let sum = 0;
  let mag = 0;
  for (let k = 0; k < i; k++) {
    const term = input[s * i + k] * w.nodeIn[node * i + k];
    sum += term;
    mag += Math.abs(term);
  }
  return [sum, mag];
}

/** The child a score sends a walk to: right (2k + 2) iff the score is ≥ 0, as in the FFF. */
const ufbChild = (node: number, score: number) => 2 * node + (score >= 0 ? 2 : 1);

/**
 * Sample s through the given path of D + 1 nodes (one per level): out = Σ act(a_l)·nodeOut[node_l],
 * outMag = Σ mag(a_l)·|nodeOut[node_l]| (|act(a)| ≤ |a| for ReLU and GELU, so mag(a) bounds it).
 */
function ufbPathForward(w: UfbWeights, input: Float32Array, s: number, path: ArrayLike<number>, out: Float64Array, outMag: Float64Array): void {
  const { outputDim: o, activation } = w.shape;
  const act = activation64(activation);
  out.fill(0, 0, o);
  outMag.fill(0, 0, o);
  for (let level = 0; level < path.length; level++) {
    const node = path[level];
    const [score, mag] = ufbNodeScore(w, input, s, node);
    const h = act(score);
    for (let c = 0; c < o; c++) {
      const v = w.nodeOut[node * o + c];
      out[c] += h * v;
      outMag[c] += mag * Math.abs(v);
    }
  }
}

export interface UfbReferenceOutput extends ReferenceOutput {
  /** batch × (D + 1): the node each sample visited at each level (float64 scores), heap order. */
  paths: Int32Array;
}

/**
 * UltraFastBERT's tree (weights.ts): per sample, at each of the D + 1 levels a = w·x,
 * y += act(a)·v, then go right iff a ≥ 0. No biases, no leaves.
 */
export function ufbForwardRef(w: UfbWeights, input: Float32Array, batch: number): UfbReferenceOutput {
  const { outputDim: o, depth } = w.shape;
  const levels = depth + 1;
  const output = new Float64Array(batch * o);
  const magnitude = new Float64Array(batch * o);
  const paths = new Int32Array(batch * levels);
  for (let s = 0; s < batch; s++) {
    let node = 0;
    for (let level = 0; level < levels; level++) {
      paths[s * levels + level] = node;
      node = ufbChild(node, ufbNodeScore(w, input, s, node)[0]);
    }
    ufbPathForward(w, input, s, paths.subarray(s * levels, (s + 1) * levels), output.subarray(s * o), magnitude.subarray(s * o));
  }
  return { output, magnitude, paths };
}

/**
 * The paths (D + 1 nodes each) a float32 implementation may legitimately take for sample s: where
 * a score that decides a branch is within `margin`·(its magnitude) of zero, rounding can send
 * float32 either way, so both subtrees are admissible. The first entry is the float64 path.
 */
export function admissibleUfbPaths(w: UfbWeights, input: Float32Array, s: number, margin: number, cap = 16): number[][] {
  let frontier: number[][] = [[0]];
  for (let level = 0; level < w.shape.depth; level++) {
    const next: number[][] = [];
    for (const path of frontier) {
      const node = path[path.length - 1];
      const [score, mag] = ufbNodeScore(w, input, s, node);
      const primary = ufbChild(node, score);
      next.push([...path, primary]);
      if (Math.abs(score) <= margin * mag && next.length < cap) next.push([...path, primary === 2 * node + 2 ? 2 * node + 1 : 2 * node + 2]);
    }
    frontier = next;
  }
  return frontier;
}

/** The output of sample s along a given path (used to check samples whose path is ambiguous in float32). */
export function ufbPathForwardRef(w: UfbWeights, input: Float32Array, s: number, path: number[]): ReferenceOutput {
  const o = w.shape.outputDim;
  const output = new Float64Array(o);
  const magnitude = new Float64Array(o);
  ufbPathForward(w, input, s, path, output, magnitude);
  return { output, magnitude };
}
