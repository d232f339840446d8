/**
 * Cost model, per sample, in multiply-adds (MACs) and bytes of float32 weights.
 * Dense FF of width W: W·(i + o). FFF: d·i for the nodes on the path + ℓ·(i + o) for one leaf.
 * UltraFastBERT's tree: (d + 1)·(i + o), one input and one output row per level, no leaf.
 * The encoder layer: per sequence (its sample), in encoder.ts.
 */
import { encoderBytesTouchedPerSequence, encoderMacsPerSequence, encoderWeightBytes } from './encoder.ts';
import type { LayerShape, ModelKind } from './shape.ts';
import { leafCount, nodeCount, trainingWidth, treeModelOf, ufbNodeCount } from './shape.ts';

const FLOAT_BYTES = 4;

export function macsPerSample(model: ModelKind, s: LayerShape): number {
  if (model === 'encoder') return encoderMacsPerSequence(s);
  if (model === 'ufb') return (s.depth + 1) * (s.inputDim + s.outputDim);
  if (model === 'fff') return s.depth * s.inputDim + s.leafWidth * (s.inputDim + s.outputDim);
  return trainingWidth(s) * (s.inputDim + s.outputDim);
}

/** Every parameter of the model (weights and biases), in bytes. */
export function weightBytes(model: ModelKind, s: LayerShape): number {
  const { inputDim: i, outputDim: o, depth, leafWidth: l } = s;
  if (model === 'encoder') return encoderWeightBytes(s);
  if (model === 'ufb') return ufbNodeCount(depth) * (i + o) * FLOAT_BYTES;
  if (model === 'fff') {
    const nodes = nodeCount(depth) * (i + 1);
    const leaves = leafCount(depth) * (i * l + l + l * o + o);
    return (nodes + leaves) * FLOAT_BYTES;
  }
  const w = trainingWidth(s);
  return (i * w + w + w * o + o) * FLOAT_BYTES;
}

/**
 * Parameter bytes one sample must read: d node rows and one leaf for the FFF, d + 1 node rows
 * (input and output) for UltraFastBERT's tree, all of it for dense.
 * (Input and output vectors are i + o floats for all of them and are not counted here.)
 */
export function bytesTouchedPerSample(model: ModelKind, s: LayerShape): number {
  const { inputDim: i, outputDim: o, depth, leafWidth: l } = s;
  if (model === 'encoder') return encoderBytesTouchedPerSequence(s);
  if (model === 'ufb') return macsPerSample('ufb', s) * FLOAT_BYTES;
  if (model === 'fff') return (depth * (i + 1) + i * l + l + l * o + o) * FLOAT_BYTES;
  return weightBytes('dense', s);
}

/**
 * Theoretical speedup of the shape's tree over its dense layer, a ratio of multiply-adds: for the
 * FFF 2^d·ℓ·(i+o) / (d·i + ℓ·(i+o)); for UltraFastBERT's tree (2^(d+1) − 1) / (d + 1), 341.25x at d = 11.
 */
export function theoreticalSpeedup(s: LayerShape): number {
  return macsPerSample('dense', s) / macsPerSample(treeModelOf(s), s);
}
