/**
 * The correctness check that gates every timing: a backend's output on fresh random inputs is
 * compared with the float64 reference. Errors are measured relative to the magnitude of each
 * output (see model/reference.ts), which bounds float32 rounding whatever the cancellation.
 */
import { macsPerSample } from '../model/cost.ts';
import { admissibleLeaves, admissibleUfbPaths, denseForwardRef, leafForwardRef, ufbPathForwardRef, type ReferenceOutput } from '../model/reference.ts';
import type { Weights } from '../model/weights.ts';
import type { Check } from '../results/schema.ts';

/**
 * Largest accepted |error| / magnitude. Rounding in a float32 sum of random-sign terms stays
 * near 2^−24 of the sum of their absolute values whatever its length (seen here: 1e-10 to 5e-8
 * with double accumulators, ~1e-7 with float32 ones); 1e-5 leaves two orders of magnitude for
 * other summation orders and approximate erf, while a real bug — a wrong bias, a dropped hidden
 * unit in a layer of moderate width — lands above it.
 */
export const CHECK_TOLERANCE = 1e-5;

/** Reference work allowed per check, in multiply-adds: wide dense layers are checked on a subset of rows. */
const REFERENCE_MAC_BUDGET = 4e8;

/** Rows of the batch to compare: all when affordable, else an even spread including the first and last. */
export function checkedRows(weights: Weights, batch: number): number[] {
  const affordable = Math.max(2, Math.floor(REFERENCE_MAC_BUDGET / macsPerSample(weights.kind, weights.shape)));
  if (affordable >= batch) return Array.from({ length: batch }, (_, k) => k);
  const rows = new Set<number>();
  for (let k = 0; k < affordable; k++) rows.add(Math.round((k * (batch - 1)) / (affordable - 1)));
  return [...rows];
}

function gather(input: Float32Array, rows: number[], dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, k) => {
    out.set(input.subarray(r * dim, (r + 1) * dim), k * dim);
  });
  return out;
}

/** Compares `output` (batch × o) with the reference on the chosen rows of `input`. */
export function checkOutput(weights: Weights, input: Float32Array, output: Float32Array, batch: number): Check {
  const { inputDim: i, outputDim: o } = weights.shape;
  const rows = checkedRows(weights, batch);
  let maxAbsError = 0;
  let maxRelError = 0;
  let ambiguousSamples = 0;
  const note = (got: number, want: number, mag: number) => {
    const abs = Math.abs(got - want);
    return { abs: Number.isNaN(abs) ? Infinity : abs, rel: Number.isNaN(abs) ? Infinity : abs / Math.max(mag, 1e-30) };
  };
  if (output.length < batch * o) {
    return { maxAbsError: Infinity, maxRelError: Infinity, tolerance: CHECK_TOLERANCE, ok: false, checkedSamples: 0, ambiguousSamples: 0 };
  }
  if (weights.kind === 'dense') {
    const ref = denseForwardRef(weights, gather(input, rows, i), rows.length);
    rows.forEach((r, k) => {
      for (let c = 0; c < o; c++) {
        const e = note(output[r * o + c], ref.output[k * o + c], ref.magnitude[k * o + c]);
        maxAbsError = Math.max(maxAbsError, e.abs);
        maxRelError = Math.max(maxRelError, e.rel);
      }
    });
  } else {
    // Where a node score is within rounding of zero, float32 may take either branch: accept the
    // output of any admissible leaf (FFF) or path (UltraFastBERT), scoring the sample by its best match.
    const candidates = (r: number): ReferenceOutput[] =>
      weights.kind === 'fff'
        ? admissibleLeaves(weights, input, r, CHECK_TOLERANCE).map((leaf) => leafForwardRef(weights, input, r, leaf))
        : admissibleUfbPaths(weights, input, r, CHECK_TOLERANCE).map((path) => ufbPathForwardRef(weights, input, r, path));
    for (const r of rows) {
      const refs = candidates(r);
      if (refs.length > 1) ambiguousSamples++;
      let best = { abs: Infinity, rel: Infinity };
      for (const ref of refs) {
        let worst = { abs: 0, rel: 0 };
        for (let c = 0; c < o; c++) {
          const e = note(output[r * o + c], ref.output[c], ref.magnitude[c]);
          worst = { abs: Math.max(worst.abs, e.abs), rel: Math.max(worst.rel, e.rel) };
        }
        if (worst.rel < best.rel) best = worst;
      }
      maxAbsError = Math.max(maxAbsError, best.abs);
      maxRelError = Math.max(maxRelError, best.rel);
    }
  }
  return {
    maxAbsError,
    maxRelError,
    tolerance: CHECK_TOLERANCE,
    ok: maxRelError <= CHECK_TOLERANCE,
    checkedSamples: rows.length,
    ambiguousSamples,
  };
}
