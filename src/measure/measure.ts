/**
 * The measuring core: times one function with mitata and returns plain statistics. No printing.
 *
 * Outlier policy: every sample mitata keeps is reported. mitata drops the 2 fastest and 2 slowest
 * samples when it has more than 12; nothing else is removed. The median and its order-statistic
 * interval are robust to the remaining tail, so no further trimming is needed.
 *
 * Calls faster than mitata's batch threshold (65 µs) are timed in batches of BATCH_CALLS calls and
 * each sample is the mean call time of its batch, so timer resolution never dominates.
 */
// lib.mjs is mitata's measuring core; the package root re-exports measure but not gc.
import { gc, measure } from 'mitata/src/lib.mjs';
import { summarize, type SampleStats } from './stats.ts';

export interface MeasureSettings {
  /** Keep sampling until this much time was spent measuring (and minSamples reached). */
  minTimeMs: number;
  minSamples: number;
  maxSamples: number;
  warmupSamples: number;
  /** Cap on a case's measuring time: slow calls get fewer samples (never fewer than 3). */
  maxCaseTimeMs: number;
}

const BATCH_CALLS = 128;
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
    batch_unroll: 1,
    // mitata's fallback "gc" allocates 1 GiB; use a real collector only where the runtime exposes one
    gc: (gc as { fallback?: boolean }).fallback ? false : gc,
  } as Parameters<typeof measure>[1]);
  return summarize(stats.samples);
}
