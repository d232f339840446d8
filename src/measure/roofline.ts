/**
 * Roofline floor of a result: the least time the hardware allows for its work, from the cost
 * model and the machine's calibration — max(flops / peak, bytes / bandwidth). A measured time
 * is then reported as a multiple of that floor: how far the kernel is from what the machine allows.
 *
 * Bytes counted are those that must move at least once per batch: every weight the batch touches
 * (all of them for dense; for the FFF the node rows on the paths taken and each distinct leaf
 * once; for UltraFastBERT's tree each distinct node's input and output rows once), plus the input
 * and output batch.
 */
import type { z } from 'zod';
import { macsPerSample, weightBytes } from '../model/cost.ts';
import { attentionParameters, feedforwardOf, tokensPerCall } from '../model/encoder.ts';
import { leafCount, type CaseShape, type ModelKind } from '../model/shape.ts';
import type { CalibrationSchema, RooflineSchema } from './schema.ts';

const FLOAT = 4;

/** Expected number of distinct bins hit by `draws` uniform draws over `bins` bins. */
export function expectedDistinct(bins: number, draws: number): number {
  return bins * (1 - (1 - 1 / bins) ** draws);
}

/** Bytes a batch must read or write at least once. */
export function minimumBytes(model: ModelKind, s: CaseShape): number {
  if (model === 'encoder') return encoderMinimumBytes(s);
  const io = s.batchSize * (s.inputDim + s.outputDim) * FLOAT;
  if (model === 'dense') return weightBytes('dense', s) + io;
  // Level ℓ of the tree has 2^ℓ nodes; a batch of random inputs visits about expectedDistinct of them.
  if (model === 'ufb') {
    // d + 1 levels of nodes, each visited node an input row and an output row, no leaves.
    let nodes = 0;
    for (let level = 0; level <= s.depth; level++) nodes += expectedDistinct(2 ** level, s.batchSize);
    return nodes * (s.inputDim + s.outputDim) * FLOAT + io;
  }
  let nodeRows = 0;
  for (let level = 0; level < s.depth; level++) nodeRows += expectedDistinct(2 ** level, s.batchSize);
  const leafBytes = (s.inputDim * s.leafWidth + s.leafWidth + s.leafWidth * s.outputDim + s.outputDim) * FLOAT;
  const leaves = expectedDistinct(leafCount(s.depth), s.batchSize);
  return nodeRows * (s.inputDim + 1) * FLOAT + leaves * leafBytes + io;
}

/**
 * An encoder layer: every weight of the attention half and of a dense feedforward; for the trees,
 * each distinct node the call's tokens visit in each tree (as the `ufb` model counts them); and
 * the input and output tokens.
 */
function encoderMinimumBytes(s: CaseShape): number {
  const f = feedforwardOf(s);
  const tokens = tokensPerCall(s);
  const io = tokens * (s.inputDim + s.outputDim) * FLOAT;
  if (f.kind === 'dense') return weightBytes('encoder', s) + io;
  let nodes = 0;
  for (let level = 0; level <= f.depth; level++) nodes += expectedDistinct(2 ** level, tokens);
  return (attentionParameters(s.inputDim) + f.trees * nodes * (s.inputDim + s.outputDim)) * FLOAT + io;
}

export function flopsPerBatch(model: ModelKind, s: CaseShape): number {
  return 2 * macsPerSample(model, s) * s.batchSize;
}

/** A runtime's measured limits (fields: schema.ts). */
export type Calibration = z.infer<typeof CalibrationSchema>;

/** The floor of one case (fields: schema.ts). */
export type Roofline = z.infer<typeof RooflineSchema>;

export function rooflineFloor(model: ModelKind, s: CaseShape, c: Calibration, peakFlops = c.peakFlops): Roofline {
  const flops = flopsPerBatch(model, s);
  const bytes = minimumBytes(model, s);
  const computeNs = (flops / peakFlops) * 1e9;
  const memoryNs = (bytes / c.readBandwidth) * 1e9;
  return { floorNs: Math.max(computeNs, memoryNs), bound: computeNs >= memoryNs ? 'compute' : 'memory', flops, bytes };
}
