import type { z } from 'zod';
import type { ShapeSchema } from './schema.ts';

/** A layer shape plus the batch it is run on, as it appears in results files (fields: schema.ts). */
export type CaseShape = z.infer<typeof ShapeSchema>;

/** The layer a case measures: an FFF of `depth` and `leafWidth`, or the dense FF of its training width. */
export type LayerShape = Omit<CaseShape, 'trainingWidth' | 'batchSize'>;

/** The two layers a case can measure. */
export const MODEL_KINDS = ['fff', 'dense'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

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
