/**
 * The zod schemas of what src/measure takes and produces: the sampling settings, timing statistics,
 * a runtime's calibration and a roofline floor. The one definition of their fields: measure.ts,
 * stats.ts and roofline.ts derive their types from these, and the results schema
 * (src/results/schema.ts) embeds them.
 *
 * A module of its own so that the code a worker runs (stats.ts, roofline.ts) loads no zod: only
 * `import type` reaches here from there.
 */
import { z } from 'zod';

/** The settings a case is sampled with (the suite's `measurement`, defaults and bounds in suites/schema.ts). */
export const MeasureSettingsSchema = z.object({
  /** Keep sampling until this much time was spent measuring (and minSamples reached). */
  minTimeMs: z.number(),
  minSamples: z.number(),
  maxSamples: z.number(),
  warmupSamples: z.number(),
  /** Cap on a case's measuring time: slow calls get fewer samples (never fewer than 3). */
  maxCaseTimeMs: z.number(),
});

export const StatsSchema = z.object({
  unit: z.literal('ns'),
  /** Raw per-call times in ns, ascending (as mitata returns them). */
  samples: z.array(z.number()),
  min: z.number(),
  p25: z.number(),
  median: z.number(),
  p75: z.number(),
  p99: z.number(),
  max: z.number(),
  mean: z.number(),
  /** Distribution-free confidence interval of the median (CONFIDENCE_PERCENT in stats.ts). */
  ciLow: z.number(),
  ciHigh: z.number(),
  n: z.number().int(),
});

export const CalibrationSchema = z.object({
  /** Sustained read bandwidth, bytes per second, with readThreads threads reading at once (every core, where threads run). */
  readBandwidth: z.number(),
  /** Threads that read at once for readBandwidth; absent in results from before it was measured on every core (one). */
  readThreads: z.number().int().positive().optional(),
  /** One thread's read bandwidth, bytes per second (what a single-threaded kernel can stream). */
  oneThreadReadBandwidth: z.number().optional(),
  /** Sustained copy bandwidth (read + write bytes), bytes per second. */
  copyBandwidth: z.number(),
  /** Best dense throughput measured on a compute-bound GEMM, FLOP per second, and which backend gave it. */
  peakFlops: z.number(),
  peakBackend: z.string(),
  /** Per-backend GEMM throughput measured (FLOP/s), for the report. */
  gemmFlops: z.record(z.string(), z.number()),
  /** Set when results of the run beat the calibration: which results raised the peak or the bandwidth. */
  raisedBy: z.array(z.string()).optional(),
});

/** The roofline floor of a case: max(flops / peak, bytes / bandwidth). */
export const RooflineSchema = z.object({
  floorNs: z.number(),
  /** Which limit sets the floor. */
  bound: z.enum(['memory', 'compute']),
  flops: z.number(),
  bytes: z.number(),
});
