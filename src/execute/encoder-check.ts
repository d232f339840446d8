/**
 * The correctness check of an encoder layer (model/encoder.ts): its output on fresh random inputs
 * against the float64 reference of the whole layer (model/encoder-reference.ts), before any timing.
 *
 * The output is a LayerNorm's, γ·n + β with n of unit variance, so an error is measured against
 * that scale, |γ_c| + |β_c| for output column c: |y − y_ref| / (|γ_c| + |β_c|). The layer's float32
 * rounding stays near 1e-6 of it (measured: 2e-7 to 6e-7 on onnxruntime at hidden 24 and 768, the
 * whole dense layer and the attention half alone); ENCODER_CHECK_TOLERANCE leaves an order of
 * magnitude and a half for longer sequences and other summation orders, while a real bug (a
 * missing bias, a head mixed up, the softmax unscaled, a LayerNorm without γ) lands far above it.
 *
 * A tree's branch taken on a score within rounding of zero may go either way (the reference's
 * `margin`), and a token is scored against its best-matching candidate, as the `ufb` check does.
 */
import { encoderForwardRef, referenceMacs } from '../model/encoder-reference.ts';
import type { EncoderWeights } from '../model/encoder.ts';
import type { Check } from '../results/schema.ts';

export const ENCODER_CHECK_TOLERANCE = 2e-5;

/**
 * A tree's branch is ambiguous where its score is within this fraction of its magnitude Σ|h·w| of
 * zero: h comes from the attention half in float32 (about 1e-6 off, against the 1e-7 of a `ufb`
 * case's exact input), so the margin is wider than the `ufb` check's.
 */
export const ENCODER_BRANCH_MARGIN = 1e-4;

/** Reference work allowed per check, in multiply-adds (float64 in JavaScript: about a second). */
const REFERENCE_MAC_BUDGET = 6e8;

/**
 * The tokens to compare: the first and the last sequence of the batch, and in each every position
 * where affordable, else an even spread including the first and last (at least two).
 */
export function checkedTokens(w: EncoderWeights, batch: number): { sequence: number; positions: number[] }[] {
  const { seqLen } = w.shape.encoder!;
  const sequences = batch > 1 ? [0, batch - 1] : [0];
  const perSequence = REFERENCE_MAC_BUDGET / sequences.length;
  let count = seqLen;
  while (count > 2 && referenceMacs(w, count) > perSequence) count = Math.max(2, Math.floor(count / 2));
  const positions =
    count >= seqLen
      ? Array.from({ length: seqLen }, (_, p) => p)
      : [...new Set(Array.from({ length: count }, (_, k) => Math.round((k * (seqLen - 1)) / (count - 1))))];
  return sequences.map((sequence) => ({ sequence, positions }));
}

/** Compares `output` (tokens × hidden) with the reference on the checked tokens of `input`. */
export function checkEncoderOutput(w: EncoderWeights, input: Float32Array, output: Float32Array, batch: number): Check {
  const hidden = w.shape.inputDim;
  const { seqLen } = w.shape.encoder!;
  const fail = { maxAbsError: Infinity, maxRelError: Infinity, tolerance: ENCODER_CHECK_TOLERANCE, ok: false, checkedSamples: 0, ambiguousSamples: 0 };
  if (output.length < batch * seqLen * hidden) return fail;
  const { gamma, beta } = w.norm2;
  let maxAbsError = 0;
  let maxRelError = 0;
  let checkedSamples = 0;
  let ambiguousSamples = 0;
  for (const { sequence, positions } of checkedTokens(w, batch)) {
    const refs = encoderForwardRef(w, input, sequence, positions, ENCODER_BRANCH_MARGIN);
    positions.forEach((p, n) => {
      const at = (sequence * seqLen + p) * hidden;
      const candidates = refs[n].outputs;
      if (candidates.length > 1) ambiguousSamples++;
      let best = { abs: Infinity, rel: Infinity };
      for (const want of candidates) {
        let worst = { abs: 0, rel: 0 };
        for (let c = 0; c < hidden; c++) {
          const abs = Math.abs(output[at + c] - want[c]);
          const e = Number.isNaN(abs) ? Infinity : abs;
          worst = { abs: Math.max(worst.abs, e), rel: Math.max(worst.rel, e / Math.max(Math.abs(gamma[c]) + Math.abs(beta[c]), 1e-30)) };
        }
        if (worst.rel < best.rel) best = worst;
      }
      maxAbsError = Math.max(maxAbsError, best.abs);
      maxRelError = Math.max(maxRelError, best.rel);
      checkedSamples++;
    });
  }
  return { maxAbsError, maxRelError, tolerance: ENCODER_CHECK_TOLERANCE, ok: maxRelError <= ENCODER_CHECK_TOLERANCE, checkedSamples, ambiguousSamples };
}
