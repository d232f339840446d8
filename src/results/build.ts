/**
 * Building a results file from a finished run: the one place its top-level fields are written.
 * The run's results are placed against the roofline (calibration raised where results beat it),
 * paired into comparisons, and the measurement settings are stated in words generated from the
 * constants src/measure applies, so the file cannot describe a method the code no longer uses.
 */
import { readFileSync } from 'node:fs';
import { BATCH_CALLS, BATCH_THRESHOLD_NS, TRIM_ABOVE_SAMPLES, TRIMMED_EACH_END, type MeasureSettings } from '../measure/measure.ts';
import type { Calibration } from '../measure/roofline.ts';
import { BOOTSTRAP_RESAMPLES, CONFIDENCE_PERCENT } from '../measure/stats.ts';
import { buildBestComparisons, buildComparisons } from './comparisons.ts';
import { METHOD_VERSION } from './method.ts';
import { buildEncoderComparisons } from './encoder-comparisons.ts';
import { effectiveLimits, withRoofline } from './roofline.ts';
import { SCHEMA_VERSION, type Machine, type Result, type ResultsFile } from './schema.ts';

/** The version in package.json (one home), written into every results file and shown by --help. */
export const TOOL_VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

/** How every interval in the file is computed (the results file's `measurement.interval`). */
export const INTERVAL_TEXT =
  `${CONFIDENCE_PERCENT}% distribution-free interval of the median (order statistics); ` +
  `speedup: ${CONFIDENCE_PERCENT}% percentile bootstrap of the ratio of medians, ${BOOTSTRAP_RESAMPLES} resamples`;

/** What a sample is and which are dropped (the results file's `measurement.outlierPolicy`). */
export const OUTLIER_POLICY_TEXT =
  `all samples kept except the ${TRIMMED_EACH_END} fastest and ${TRIMMED_EACH_END} slowest when more than ${TRIM_ABOVE_SAMPLES} (mitata); ` +
  `each sample is one call, or the mean of ${BATCH_CALLS} calls for calls of at most ${(BATCH_THRESHOLD_NS / 1000).toFixed(1)} µs`;

export interface RunRecord {
  suite: { name: string; file: string; shard?: string };
  startedAt: string;
  finishedAt: string;
  git?: { commit: string; dirty: boolean };
  /** The machine's fingerprint; the GPUs used and the calibration are added from the run. */
  machine: Omit<Machine, 'gpus' | 'calibration'>;
  seed: number;
  /** The suite's measurement settings, as run. */
  measurement: MeasureSettings & { calibrate?: boolean };
  /** Every result of the run, in the suite's case order. */
  results: Result[];
  /** Per runtime, the calibration its worker measured (none when the suite does not calibrate). */
  calibration: Record<string, Calibration>;
}

export function buildResultsFile(run: RunRecord): ResultsFile {
  const limits = effectiveLimits(run.results, run.calibration);
  const results = withRoofline(run.results, limits);
  const gpus = [...new Set(results.map((r) => r.backend.adapter).filter((a): a is string => Boolean(a)))];
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'fffbench', version: TOOL_VERSION },
    methodVersion: METHOD_VERSION,
    suite: run.suite,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    git: run.git,
    machine: {
      ...run.machine,
      ...(gpus.length > 0 ? { gpus } : {}),
      ...(Object.keys(limits).length > 0 ? { calibration: limits } : {}),
    },
    seed: run.seed,
    measurement: { ...run.measurement, interval: INTERVAL_TEXT, outlierPolicy: OUTLIER_POLICY_TEXT },
    results,
    comparisons: buildComparisons(results),
    bestComparisons: buildBestComparisons(results),
    ...(results.some((r) => r.model === 'encoder') ? { encoderComparisons: buildEncoderComparisons(results) } : {}),
  };
}
