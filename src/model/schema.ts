/**
 * The zod schema of a case's shape: the one definition of its fields. shape.ts derives the
 * `CaseShape` and `LayerShape` types from it, and the results schema (src/results/schema.ts) and
 * the suite schema build on it.
 *
 * A module of its own so that the code a worker runs (shape.ts, weights, cost) loads no zod: only
 * `import type` reaches here from there.
 */
import { z } from 'zod';
import { ACTIVATIONS } from './activation.ts';

/** A layer shape plus the batch it is run on, as it appears in results files (in this key order). */
export const ShapeSchema = z.object({
  inputDim: z.number().int(),
  outputDim: z.number().int(),
  /** Tree depth d: 2^d leaves (0 for a single leaf); for a UltraFastBERT shape, d + 1 levels of nodes. */
  depth: z.number().int(),
  /** Neurons per leaf ℓ (1 for a UltraFastBERT shape, whose nodes are single neurons). */
  leafWidth: z.number().int(),
  /** The width of the dense FF the tree is compared against: 2^d·ℓ, or 2^(d+1) − 1 for a UltraFastBERT shape. */
  trainingWidth: z.number().int(),
  batchSize: z.number().int(),
  activation: z.enum(ACTIVATIONS),
  /**
   * "ufb": the shape pairs UltraFastBERT's tree (model `ufb`) with its dense baseline. Absent for
   * the original FFF's shapes, so their files and case ids are what they always were.
   */
  tree: z.enum(['ufb']).optional(),
  /**
   * Model `encoder` only: one BERT-style encoder layer (src/model/encoder.ts) of hidden size
   * inputDim = outputDim, on `batchSize` sequences of `seqLen` tokens, whose feedforward is the
   * dense layer of width `trainingWidth` (no `tree`) or `trees` UltraFastBERT trees of `depth`
   * summed (`tree` "ufb"; UltraFastBERT's "KxD").
   */
  encoder: z
    .object({
      seqLen: z.number().int(),
      heads: z.number().int(),
      /** K, the trees summed in the feedforward (tree "ufb" only). */
      trees: z.number().int().optional(),
    })
    .optional(),
});
