/**
 * The measurement method's version: what a results file's figures mean beyond their field names.
 * A results file records the version it was measured by (`methodVersion`); comparing files of two
 * versions compares like with like where both hold the same figure, and says so where they do not.
 * Bump METHOD_VERSION (and describe the change in METHOD_VERSIONS) whenever a figure keeps its name
 * but changes what it measures.
 */
import type { Machine, ResultsFile } from './schema.ts';

export const METHOD_VERSION = 2;

/** What each method version changed, in words (reports quote it). */
export const METHOD_VERSIONS: Record<number, string> = {
  1: 'calibration read bandwidth measured on one thread',
  2: 'calibration read bandwidth measured on every core at once (readBandwidth, readThreads), the one-thread figure beside it (oneThreadReadBandwidth)',
};

type Calibration = NonNullable<Machine['calibration']>[string];

/**
 * The method a file was measured by: its `methodVersion`, or for a file from before it was
 * recorded, 2 when a calibration says how many threads read (readThreads), else 1.
 */
export function methodVersionOf(file: Pick<ResultsFile, 'methodVersion' | 'machine'>): number {
  if (file.methodVersion !== undefined) return file.methodVersion;
  return Object.values(file.machine.calibration ?? {}).some((c) => c.readThreads !== undefined) ? 2 : 1;
}

/** One thread's read bandwidth: every method has it (method 1 as readBandwidth); undefined only where no file says. */
export function oneThreadReadBandwidth(c: Calibration): number | undefined {
  return c.oneThreadReadBandwidth ?? (c.readThreads === undefined || c.readThreads === 1 ? c.readBandwidth : undefined);
}

/** Two calibrations' read bandwidths, compared like with like: which figure, and both values. */
export interface ReadBandwidthPair {
  /** The figure compared: 'readBandwidth' (the method's own) or 'oneThread' (the one both methods hold). */
  figure: 'readBandwidth' | 'oneThread';
  value: number;
  baseline: number;
}

/**
 * The read bandwidths of two calibrations measured by methods `method` and `baselineMethod`: the
 * method's own figure where the methods agree, one thread against one thread where they do not and
 * both hold it, undefined where there is no like-for-like figure.
 */
export function readBandwidthPair(c: Calibration, method: number, b: Calibration, baselineMethod: number): ReadBandwidthPair | undefined {
  if (method === baselineMethod) return { figure: 'readBandwidth', value: c.readBandwidth, baseline: b.readBandwidth };
  const [value, baseline] = [oneThreadReadBandwidth(c), oneThreadReadBandwidth(b)];
  return value !== undefined && baseline !== undefined ? { figure: 'oneThread', value, baseline } : undefined;
}
