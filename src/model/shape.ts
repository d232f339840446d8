import type { z } from 'zod';
import type { ShapeSchema } from './schema.ts';

/** A layer shape plus the batch it is run on, as it appears in results files (fields: schema.ts). */
export type CaseShape = z.infer<typeof ShapeSchema>;

/**
 * The layer a case measures: an FFF of `depth` and `leafWidth`, a UltraFastBERT tree of `depth`
 * (`tree: 'ufb'`), or the dense FF of the shape's training width.
 */
export type LayerShape = Omit<CaseShape, 'trainingWidth' | 'batchSize'>;

/**
 * The layers a case can measure: the original FFF (Belcak & Wattenhofer, arXiv 2308.14711: d node
 * neurons choose a leaf of ℓ neurons), UltraFastBERT's tree (arXiv 2311.10770: every one of the
 * d + 1 visited nodes is a neuron whose output is summed, no leaves; see weights.ts), the dense FF,
 * and a whole BERT-style encoder layer around a dense or tree feedforward (encoder.ts).
 */
export const MODEL_KINDS = ['fff', 'ufb', 'dense', 'encoder'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** The layers a backend's kernel runs on its own (the encoder layer is a composition of them). */
export type LayerModel = Exclude<ModelKind, 'encoder'>;

/** The tree models, each measured against the dense FF of its shape's training width. */
export type TreeModel = Exclude<LayerModel, 'dense'>;

/** Whether a shape is a UltraFastBERT pairing (its tree model is `ufb`). */
export function isUfbShape(shape: Pick<LayerShape, 'tree'>): boolean {
  return shape.tree === 'ufb';
}

/** The tree model a shape pairs with its dense layer. */
export function treeModelOf(shape: Pick<LayerShape, 'tree'>): TreeModel {
  return isUfbShape(shape) ? 'ufb' : 'fff';
}

/**
 * The width of the dense FF a shape's tree is compared against: the FFF's training width 2^d·ℓ,
 * or for a UltraFastBERT shape its node count 2^(d+1) − 1 (4095 at depth 11); an encoder layer's
 * K trees have K times that (encoder.ts).
 */
export function trainingWidth(shape: Pick<LayerShape, 'depth' | 'leafWidth' | 'tree' | 'encoder'>): number {
  return isUfbShape(shape) ? (shape.encoder?.trees ?? 1) * ufbNodeCount(shape.depth) : 2 ** shape.depth * shape.leafWidth;
}

export function nodeCount(depth: number): number {
  return 2 ** depth - 1;
}

export function leafCount(depth: number): number {
  return 2 ** depth;
}

/** Nodes of a UltraFastBERT tree of depth d: d + 1 levels, 2^(d+1) − 1 single-neuron nodes. */
export function ufbNodeCount(depth: number): number {
  return 2 ** (depth + 1) - 1;
}
