import type { Activation } from './activation.ts';

/** The layer a case measures: an FFF of `depth` and `leafWidth`, or the dense FF of its training width. */
export interface LayerShape {
  inputDim: number;
  outputDim: number;
  depth: number;
  leafWidth: number;
  activation: Activation;
}

/** A layer shape plus the batch it is run on, as it appears in results files. */
export interface CaseShape extends LayerShape {
  trainingWidth: number;
  batchSize: number;
}

export type ModelKind = 'fff' | 'dense';

/** Training width 2^d·ℓ: the width of the dense FF an FFF is compared against. */
export function trainingWidth(shape: Pick<LayerShape, 'depth' | 'leafWidth'>): number {
  return 2 ** shape.depth * shape.leafWidth;
}

export function nodeCount(depth: number): number {
  return 2 ** depth - 1;
}

export function leafCount(depth: number): number {
  return 2 ** depth;
}
