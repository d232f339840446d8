/**
 * Roofline wording shared by the page and summary.md: the machine limits a run calibrated, each
 * result's distance to its floor, and the "roofline speedup" (dense floor / FFF floor) that explains
 * the gap between the cost model's bound and what was measured.
 *
 * Why the roofline speedup differs from the cost model's: the cost model counts multiply-adds, so
 * its bound is the MAC ratio. The hardware has two limits. The dense layer (at batch > 1) is a
 * compute-bound GEMM: its floor is flops / peak. The FFF does little arithmetic per byte (each sample
 * reads its node rows and one leaf), so its floor is bytes / bandwidth, far above flops / peak.
 * Measured speedup = roofline speedup × (dense ×floor) / (FFF ×floor), exactly, for the medians.
 */
import type { Machine } from '../src/results/schema.ts';
import { formatRatio, formatTime } from '../src/text/format.ts';
import type { Floor } from '../src/claims/measured.ts';

export const ROOFLINE_EXPLANATION =
  'Each result’s roofline floor is max(FLOPs / peak, bytes / read bandwidth), with the machine limits below; “×floor” is the median as a multiple of that floor (1x = as fast as this machine allows; below 1x, the data was in cache, where the memory-bandwidth floor does not bind). ' +
  'The roofline speedup, dense floor / FFF floor, is the speedup the hardware allows. It is below the cost model’s theoretical speedup (a ratio of multiply-adds) whenever the FFF is memory-bound while the dense GEMM is compute-bound: the FFF saves arithmetic but still has to read its node rows and leaves, at memory speed. ' +
  'The measured speedup equals the roofline speedup × (dense ×floor) / (FFF ×floor): a slow dense kernel inflates it, a slow FFF kernel hides it.';

/** Multiples as speedups are written ("3.40x", "22.6x"). */
export function multipleText(floor: Floor | undefined): string {
  return floor ? `${formatRatio(floor.multiple)} (${floor.bound})` : '—';
}

/**
 * One sentence for a comparison: theoretical bound → what the floors allow → what was measured, and
 * which kernel the rest of the gap belongs to.
 */
export function gapText(speedup: number, theoretical: number, floors: { fff: Floor; dense: Floor }): string {
  const allowed = floors.dense.floorNs / floors.fff.floorNs;
  return (
    `The cost model allows ${formatRatio(theoretical)} (a ratio of multiply-adds); the floors allow ${formatRatio(allowed)}: dense ${formatTime(floors.dense.floorNs)}, ${floors.dense.bound}-bound / FFF ${formatTime(floors.fff.floorNs)}, ${floors.fff.bound}-bound. ` +
    `Measured ${formatRatio(speedup)} = ${formatRatio(allowed)} × dense ${formatRatio(floors.dense.multiple)} its floor / FFF ${formatRatio(floors.fff.multiple)} its floor.`
  );
}

export const LIMITS_HEADER = ['machine', 'runtime', 'suite', 'read GB/s', 'copy GB/s', 'peak GFLOP/s', 'peak from', 'GEMM GFLOP/s per backend'];

const giga = (x: number) => (Number.isFinite(x) ? (x / 1e9).toFixed(1) : '—');

/**
 * One row per machine, runtime and distinct calibration (each run calibrates anew; files of one run
 * share theirs). Results files without a calibration give none.
 */
export function limitsRows(files: { machine: Machine; suite: string }[]): string[][] {
  const rows = new Map<string, { cells: string[]; suites: string[] }>();
  for (const { machine, suite } of files) {
    for (const [runtime, c] of Object.entries(machine.calibration ?? {})) {
      const key = `${machine.id}\u0000${runtime}\u0000${JSON.stringify(c)}`;
      const gemm = Object.entries(c.gemmFlops)
        .sort((x, y) => y[1] - x[1])
        .map(([backend, flops]) => `${backend} ${giga(flops)}`);
      const row = rows.get(key) ?? {
        cells: [machine.id, runtime, giga(c.readBandwidth), giga(c.copyBandwidth), giga(c.peakFlops), c.peakBackend, gemm.join(', ') || '—'],
        suites: [],
      };
      if (!row.suites.includes(suite)) row.suites.push(suite);
      rows.set(key, row);
    }
  }
  return [...rows.values()].map(({ cells, suites }) => [cells[0], cells[1], suites.join(', '), ...cells.slice(2)]);
}
