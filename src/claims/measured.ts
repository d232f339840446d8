/**
 * What was measured, as every part of the report reads it: the FFF/dense comparisons whose two
 * results are both ok (per backend, or the fastest FFF against the fastest dense of a runtime),
 * with their roofline floors and machine; and the machine and GPU-adapter wording that goes with
 * them. The charts, tables, headline and claim verdicts all start here.
 */
import { adapterClassOf, type AdapterClass, type AdapterRecord } from '../model/adapter.ts';
import { buildBestComparisons } from '../results/comparisons.ts';
import type { SpeedupPair, Machine, Result, ResultsFile } from '../results/schema.ts';

/** A result's roofline floor and its median as a multiple of it (results files with a calibration). */
export type Floor = NonNullable<Result['roofline']>;

/** The speedup the roofline floors allow: dense floor / FFF floor (undefined without floors). */
export function rooflineSpeedup(floors: { fff: Floor; dense: Floor } | undefined): number | undefined {
  return floors ? floors.dense.floorNs / floors.fff.floorNs : undefined;
}

/** One comparison whose FFF and dense results were both measured (status ok), with its machine. */
export interface MeasuredComparison {
  machine: Machine;
  /** When the run of the file it comes from started: with the machine, which run it is. */
  startedAt: string;
  comparison: SpeedupPair;
  fff: Result;
  dense: Result;
  /** The two results' roofline floors, when both results carry one. */
  floors?: { fff: Floor; dense: Floor };
}

/**
 * Files written before bestComparisons existed: derive them, reusing the file's own comparison
 * where the fastest FFF and dense are one backend's pair (the same numbers by definition).
 */
function bestFromOlderFile(file: ResultsFile): SpeedupPair[] {
  const own = new Map(file.comparisons.map((c) => [`${c.treeId}|${c.denseId}`, c]));
  return buildBestComparisons(file.results).map((c) => own.get(`${c.treeId}|${c.denseId}`) ?? c);
}

/**
 * Every comparison in `files` whose two results exist with status ok and stats, in file order. A
 * comparison that points at a result that failed, was skipped or is missing is dropped: it was not
 * measured. `best`: the fastest FFF against the fastest dense of each runtime and shape.
 */
export function measuredComparisons(files: ResultsFile[], kind: 'per-backend' | 'best' = 'per-backend'): MeasuredComparison[] {
  const measured: MeasuredComparison[] = [];
  for (const file of files) {
    const ok = new Map(file.results.filter((r) => r.status === 'ok' && r.stats).map((r) => [r.id, r]));
    const comparisons = kind === 'best' ? (file.bestComparisons ?? bestFromOlderFile(file)) : file.comparisons;
    for (const comparison of comparisons) {
      const fff = ok.get(comparison.treeId);
      const dense = ok.get(comparison.denseId);
      if (!fff || !dense) continue;
      const floors = fff.roofline && dense.roofline ? { floors: { fff: fff.roofline, dense: dense.roofline } } : {};
      measured.push({ machine: file.machine, startedAt: file.startedAt, comparison, fff, dense, ...floors });
    }
  }
  return measured;
}

/** Who ran one side of a comparison, with how many threads. */
export interface ComparisonSide {
  backend: string;
  threads: number;
  /** GPU backends: the adapter, e.g. "mesa software (llvmpipe), software adapter". */
  adapter?: string;
}

/** A measured comparison as a verdict (and its card) reads it: flat numbers, both sides, and whether it can be judged. */
export interface MeasuredPoint {
  machineId: string;
  machineLabel: string;
  /** The run (its start) and the two cases the comparison reads, to find them in their results file. */
  startedAt: string;
  treeId: string;
  denseId: string;
  runtime: string;
  backend: string;
  shape: SpeedupPair['shape'];
  speedup: number;
  ciLow: number;
  ciHigh: number;
  theoretical: number;
  floors?: MeasuredComparison['floors'];
  /** Who ran each side, with how many threads (a 1-thread FFF against a 2-thread dense reads differently). */
  fff: ComparisonSide;
  dense: ComparisonSide;
  /** Why this comparison cannot carry a verdict (a weak dense baseline, a software GPU); absent when it can. */
  notJudgedBecause?: string;
}

/** "Intel Xeon … · 2 cores · 1a2b3c": how the report names a machine wherever several are shown. */
export function machineLabel(machine: Machine): string {
  return `${machine.cpuModel} · ${machine.cpuCores} cores · ${machine.id}`;
}

/**
 * A GPU backend whose adapter is not known to be a GPU: a CPU implementation (llvmpipe, SwiftShader,
 * …) or an adapter that names nothing. Its numbers are not a GPU's; undefined for a hardware
 * adapter and for a backend that used none.
 */
export function nonGpuAdapter(backend: AdapterRecord): Exclude<AdapterClass, 'hardware'> | undefined {
  const found = adapterClassOf(backend);
  return found === 'software' || found === 'unidentified' ? found : undefined;
}
