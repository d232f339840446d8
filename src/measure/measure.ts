/**
 * The measuring core: times one function with mitata and returns plain statistics. No printing.
 *
 * Outlier policy: every sample mitata keeps is reported. mitata drops the TRIMMED_EACH_END fastest
 * and slowest samples when it has more than TRIM_ABOVE_SAMPLES; nothing else is removed. The
 * median and its order-statistic interval are robust to the remaining tail, so no further trimming
 * is needed.
 *
 * Calls of at most BATCH_THRESHOLD_NS are timed in batches of BATCH_CALLS calls and each sample is
 * the mean call time of its batch, so timer resolution never dominates.
 *
 * These constants are what is applied (passed to mitata, or, for TRIMMED_EACH_END, mitata's own
 * fixed slice, checked by test/unit/stats.test.ts), and what the results file's measurement texts say.
 */
// lib.mjs is mitata's measuring core, not its public API (the package root re-exports measure but
// neither gc nor now), and TRIMMED_EACH_END below is its internal constant: package.json pins mitata
// exactly, so an update is a deliberate change whose test (test/unit/stats.test.ts) re-checks both.
import { gc, measure, now } from 'mitata/src/lib.mjs';
import type { z } from 'zod';
import type { MeasureSettingsSchema } from './schema.ts';
import { quantileSorted, summarize, type SampleStats } from './stats.ts';

/** How long and how often to sample one case (fields: schema.ts). */
export type MeasureSettings = z.infer<typeof MeasureSettingsSchema>;

/** Calls per sample for calls under the batch threshold. */
export const BATCH_CALLS = 128;
/** A warm-up call of at most this long makes mitata time calls in batches (mitata's default, 65.5 µs). */
export const BATCH_THRESHOLD_NS = 65_536;
/** mitata trims samples only when it has more than this many (its samples_threshold)… */
export const TRIM_ABOVE_SAMPLES = 12;
/** …and then drops this many of the fastest and as many of the slowest (fixed in mitata). */
export const TRIMMED_EACH_END = 2;
const FLOOR_SAMPLES = 3;

/** Samples to take for a call of `callNs`, given the settings (the budget wins over minSamples). */
export function samplePlan(callNs: number, s: MeasureSettings): { minSamples: number; maxSamples: number } {
  const affordable = Math.max(FLOOR_SAMPLES, Math.floor((s.maxCaseTimeMs * 1e6) / Math.max(callNs, 1)));
  const maxSamples = Math.min(s.maxSamples, affordable);
  return { minSamples: Math.min(s.minSamples, maxSamples), maxSamples };
}

/**
 * Times `fn` (sync or async). `firstCallNs`, the duration of a call already made (the warm-up),
 * sizes the sample plan so that a 10-second dense layer is not sampled 100 times.
 */
export async function measureCall(fn: () => unknown, settings: MeasureSettings, firstCallNs: number): Promise<SampleStats> {
  const plan = samplePlan(firstCallNs, settings);
  const stats = await measure(fn, {
    min_cpu_time: settings.minTimeMs * 1e6,
    min_samples: plan.minSamples,
    max_samples: plan.maxSamples,
    warmup_samples: settings.warmupSamples,
    batch_samples: BATCH_CALLS,
    batch_threshold: BATCH_THRESHOLD_NS,
    batch_unroll: 1,
    samples_threshold: TRIM_ABOVE_SAMPLES,
    // mitata's fallback "gc" allocates 1 GiB; use a real collector only where the runtime exposes one
    gc: (gc as { fallback?: boolean }).fallback ? false : gc,
  } as Parameters<typeof measure>[1]);
  return summarize(stats.samples);
}

/**
 * One round of `fffbench ab`: `samples` samples of `callsPerSample` calls each. Both revisions of a
 * case time the same plan, so that their rounds differ in nothing but the code.
 */
export interface RoundPlan {
  callsPerSample: number;
  samples: number;
}

/** Samples a round takes where the case's budget allows, however long a call. */
export const MIN_ROUND_SAMPLES = 3;
/**
 * Samples a round of short calls is cut into. A neighbour on a shared core takes it in time
 * slices of milliseconds: under such load here, rounds of three samples of 128 calls (4 ms each)
 * read 1x, 2x or 3x a call's time as the slices fell, and a pair straddling them read a ratio
 * near 0.5 or 2. Samples of a twentieth of a round are each either hit or not, and the round's
 * statistic (roundStatistic) reads the ones that were not.
 */
export const ROUND_SAMPLES = 20;

/**
 * The plan for rounds of about `roundNs` each, for a call of `callNs`: samples of about
 * roundNs / ROUND_SAMPLES (at most BATCH_CALLS calls, at least one). Where `rounds` rounds at
 * MIN_ROUND_SAMPLES would take more than `maxCaseNs`, a round takes fewer samples, down to one.
 */
export function roundPlan(callNs: number, roundNs: number, rounds: number, maxCaseNs: number): RoundPlan {
  const call = Math.max(callNs, 1);
  const callsPerSample = Math.max(1, Math.min(BATCH_CALLS, Math.floor(roundNs / ROUND_SAMPLES / call)));
  const sampleNs = call * callsPerSample;
  const wanted = Math.max(MIN_ROUND_SAMPLES, Math.ceil(roundNs / sampleNs));
  const affordable = Math.max(1, Math.floor(maxCaseNs / (rounds * sampleNs)));
  return { callsPerSample, samples: Math.min(wanted, affordable) };
}

/**
 * What a round's samples say of its call time: their lower quartile. Other work on the machine only
 * ever adds time, to some samples; the lower quartile reads a round whose samples were seven in ten
 * hit as if none were, where the median shrugs off fewer than half. A change that slows most calls
 * moves it as it moves the median.
 */
export function roundStatistic(samples: number[]): number {
  return quantileSorted(
    [...samples].sort((a, b) => a - b),
    0.25,
  );
}

/** Awaits what `fn` returns only when it is a promise: a synchronous kernel's loop stays synchronous. */
function callOnce(fn: () => unknown): Promise<unknown> | undefined {
  const r = fn();
  return r instanceof Promise ? r : undefined;
}

/**
 * A call's duration once warm, in ns: calls in doubling batches until one batch lasts `minMs` (the
 * warm-up before rounds; the first call after the check is slower than the rest). The fastest
 * per-call time of the batches of at least minMs / 8 is taken: a busy host only ever adds time.
 */
export async function estimateCallNs(fn: () => unknown, minMs: number): Promise<number> {
  let best = Infinity;
  for (let calls = 1; ; calls *= 2) {
    const t0 = now();
    for (let k = 0; k < calls; k++) {
      const pending = callOnce(fn);
      if (pending) await pending;
    }
    const elapsed = now() - t0;
    if (elapsed >= (minMs * 1e6) / 8) best = Math.min(best, elapsed / calls);
    if (elapsed >= minMs * 1e6 || calls >= 1 << 20) return Math.min(best, elapsed / calls);
  }
}

/**
 * Times one round of `plan`: ns per call of each sample, after a collection where the runtime
 * exposes one (as mitata collects before it samples), so that neither revision pays the other's
 * garbage. Nothing is trimmed: the caller reads the round through roundStatistic.
 */
export async function timeRound(fn: () => unknown, plan: RoundPlan): Promise<number[]> {
  if (!(gc as { fallback?: boolean }).fallback) gc();
  const samples: number[] = [];
  for (let s = 0; s < plan.samples; s++) {
    const t0 = now();
    for (let k = 0; k < plan.callsPerSample; k++) {
      const pending = callOnce(fn);
      if (pending) await pending;
    }
    samples.push((now() - t0) / plan.callsPerSample);
  }
  return samples;
}
