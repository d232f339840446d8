import type { LayerShape } from './shape.ts';
import { isUfbShape, leafCount, nodeCount, trainingWidth, ufbNodeCount } from './shape.ts';
import { Rng } from './rng.ts';

/**
 * FFF parameters, all row-major float32.
 * - nodeWeights: (2^d − 1) × i, node k in heap order (children of k are 2k+1 and 2k+2)
 * - nodeBias:    2^d − 1
 * - leafW1:      2^d × i × ℓ (leaf λ's W1 is the i×ℓ block at λ·i·ℓ)
 * - leafB1:      2^d × ℓ
 * - leafW2:      2^d × ℓ × o
 * - leafB2:      2^d × o
 */
export interface FffWeights {
  kind: 'fff';
  shape: LayerShape;
  nodeWeights: Float32Array;
  nodeBias: Float32Array;
  leafW1: Float32Array;
  leafB1: Float32Array;
  leafW2: Float32Array;
  leafB2: Float32Array;
}

/**
 * UltraFastBERT's tree (arXiv 2311.10770; the variant of its PyTorch benchmark,
 * benchmark_pytorch/fff/fff_bmm.py): one tree of depth D whose 2^(D+1) − 1 nodes are each one
 * neuron, in heap order (node k's children are 2k+1 and 2k+2), row-major float32:
 * - nodeIn:  (2^(D+1) − 1) × i, the neuron's input weights
 * - nodeOut: (2^(D+1) − 1) × o, its output weights
 * No biases at all, and no leaves. Per sample, at each of the D + 1 levels: a = nodeIn[k]·x,
 * y += act(a)·nodeOut[k], then go right iff a ≥ 0 (the same tie rule as our FFF; fff_bmm.py's
 * `plane_score >= 0`). (The training module, training/cramming/architectures/fff.py, adds an input
 * bias and goes right iff a > 0; the benchmarked layer, which the 78x claim is about, has neither.)
 */
export interface UfbWeights {
  kind: 'ufb';
  shape: LayerShape;
  nodeIn: Float32Array;
  nodeOut: Float32Array;
}

/** Dense FF parameters: w1 is i × W, w2 is W × o (row-major), W the training width. */
export interface DenseWeights {
  kind: 'dense';
  shape: LayerShape;
  width: number;
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

export type Weights = FffWeights | UfbWeights | DenseWeights;

/**
 * Initialisation of the reference `fastfeedforward` package: node weights and biases, W1 and b1
 * uniform in ±1/√i; W2 and b2 uniform in ±1/√ℓ.
 */
export function initFff(shape: LayerShape, seed: number): FffWeights {
  const { inputDim: i, outputDim: o, depth, leafWidth: l } = shape;
  const rng = new Rng(seed);
  const inBound = 1 / Math.sqrt(i);
  const leafBound = 1 / Math.sqrt(l);
  const nodes = nodeCount(depth);
  const leaves = leafCount(depth);
  return {
    kind: 'fff',
    shape,
    nodeWeights: rng.fillUniform(new Float32Array(nodes * i), inBound),
    nodeBias: rng.fillUniform(new Float32Array(nodes), inBound),
    leafW1: rng.fillUniform(new Float32Array(leaves * i * l), inBound),
    leafB1: rng.fillUniform(new Float32Array(leaves * l), inBound),
    leafW2: rng.fillUniform(new Float32Array(leaves * l * o), leafBound),
    leafB2: rng.fillUniform(new Float32Array(leaves * o), leafBound),
  };
}

/**
 * UltraFastBERT's initialisation (fff_bmm.py): input weights uniform in ±1/√i, output weights
 * uniform in ±1/√(D + 1) (D + 1 nodes add into each output).
 */
export function initUfb(shape: LayerShape, seed: number): UfbWeights {
  if (!isUfbShape(shape) || shape.leafWidth !== 1) {
    throw new Error(
      `initUfb: a UltraFastBERT tree needs a shape with tree "ufb" and leaf width 1 (got tree ${shape.tree ?? 'fff'}, leaf width ${shape.leafWidth})`,
    );
  }
  const { inputDim: i, outputDim: o, depth } = shape;
  const rng = new Rng(seed);
  const nodes = ufbNodeCount(depth);
  return {
    kind: 'ufb',
    shape,
    nodeIn: rng.fillUniform(new Float32Array(nodes * i), 1 / Math.sqrt(i)),
    nodeOut: rng.fillUniform(new Float32Array(nodes * o), 1 / Math.sqrt(depth + 1)),
  };
}

/**
 * The dense baseline: an FF of the shape's training width W (2^d·ℓ, or 2^(d+1) − 1 for a
 * UltraFastBERT shape), initialised by the same scheme (±1/√i for W1 and b1; ±1/√W for W2 and b2,
 * as PyTorch's Linear(W, o) would). For a UltraFastBERT shape b1 and b2 are zero: the tree it is
 * compared against has no biases. They stay in the weights, so every dense kernel runs unchanged
 * (adding zeros) and the cost model counts the same bytes.
 */
export function initDense(shape: LayerShape, seed: number): DenseWeights {
  const { inputDim: i, outputDim: o } = shape;
  const width = trainingWidth(shape);
  const rng = new Rng(seed);
  const inBound = 1 / Math.sqrt(i);
  const hiddenBound = 1 / Math.sqrt(width);
  // zero biases draw nothing from the stream, so W2 follows W1 directly (an object literal's
  // fields are evaluated in order: the draws are w1, b1, w2, b2)
  const biases = !isUfbShape(shape);
  return {
    kind: 'dense',
    shape,
    width,
    w1: rng.fillUniform(new Float32Array(i * width), inBound),
    b1: biases ? rng.fillUniform(new Float32Array(width), inBound) : new Float32Array(width),
    w2: rng.fillUniform(new Float32Array(width * o), hiddenBound),
    b2: biases ? rng.fillUniform(new Float32Array(o), hiddenBound) : new Float32Array(o),
  };
}

/** The generated weights of `model` at `shape`, from `seed`. */
export function initWeights(model: Weights['kind'], shape: LayerShape, seed: number): Weights {
  if (model === 'fff') return initFff(shape, seed);
  if (model === 'ufb') return initUfb(shape, seed);
  return initDense(shape, seed);
}

/**
 * The dense FF made of all the FFF's leaves side by side: hidden unit λ·ℓ + j is leaf λ's unit j,
 * b2 is the sum of the leaves' b2. With all node parameters zero, the soft FFF equals this network
 * scaled by 2^−d (every leaf has mixture weight (½)^d).
 */
export function denseFromLeaves(fff: FffWeights): DenseWeights {
  const { inputDim: i, outputDim: o, depth, leafWidth: l } = fff.shape;
  const leaves = leafCount(depth);
  const width = leaves * l;
  const w1 = new Float32Array(i * width);
  for (let leaf = 0; leaf < leaves; leaf++) {
    for (let r = 0; r < i; r++) {
      for (let j = 0; j < l; j++) w1[r * width + leaf * l + j] = fff.leafW1[(leaf * i + r) * l + j];
    }
  }
  const b2 = new Float32Array(o);
  for (let leaf = 0; leaf < leaves; leaf++) {
    for (let c = 0; c < o; c++) b2[c] += fff.leafB2[leaf * o + c];
  }
  return {
    kind: 'dense',
    shape: fff.shape,
    width,
    w1,
    b1: fff.leafB1.slice(),
    w2: fff.leafW2.slice(), // leaf-major ℓ×o blocks stacked are exactly W×o
    b2,
  };
}
