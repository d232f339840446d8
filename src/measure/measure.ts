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
// lib.mjs is mitata's measuring core; the package root re-exports measure but not gc.
import { gc, measure } from 'mitata/src/lib.mjs';
import type { z } from 'zod';
import type { MeasureSettingsSchema } from './schema.ts';
import { summarize, type SampleStats } from './stats.ts';

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
