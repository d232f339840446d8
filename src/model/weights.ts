import type { LayerShape } from './shape.ts';
import { leafCount, nodeCount, trainingWidth } from './shape.ts';
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

export type Weights = FffWeights | DenseWeights;

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
 * The dense baseline: an FF of the FFF's training width W = 2^d·ℓ, initialised by the same
 * scheme (±1/√i for W1 and b1; ±1/√W for W2 and b2, as PyTorch's Linear(W, o) would).
 */
export function initDense(shape: LayerShape, seed: number): DenseWeights {
  const { inputDim: i, outputDim: o } = shape;
  const width = trainingWidth(shape);
  const rng = new Rng(seed);
  const inBound = 1 / Math.sqrt(i);
  const hiddenBound = 1 / Math.sqrt(width);
  return {
    kind: 'dense',
    shape,
    width,
    w1: rng.fillUniform(new Float32Array(i * width), inBound),
    b1: rng.fillUniform(new Float32Array(width), inBound),
    w2: rng.fillUniform(new Float32Array(width * o), hiddenBound),
    b2: rng.fillUniform(new Float32Array(o), hiddenBound),
  };
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
