/**
 * The "Machines compared" tables: per runtime and shape measured on two or more machines, each
 * machine's fastest FFF and fastest dense layer (the pair the claim verdicts read) and how many
 * times faster than the baseline machine each ran: baseline median / this machine's median, with a
 * 95% bootstrap interval of that ratio of medians from the raw samples (ratioOfMedians). Files
 * reduced by `history --prune` keep no samples: their ratio is shown without an interval.
 */
import { shapeKey } from '../../src/model/case.ts';
import { ratioOfMedians } from '../../src/measure/stats.ts';
import type { Machine, Result } from '../../src/results/schema.ts';
import { formatRatio, formatShape } from '../../src/text/format.ts';
import type { MeasuredComparison } from '../../src/claims/measured.ts';
import { speedupCells } from '../speedup-rows.ts';

/** How many times faster than the baseline (above 1x: faster), with its interval when both sides kept samples. */
export interface Ratio {
  ratio: number;
  ciLow?: number;
  ciHigh?: number;
}

export interface MachineShapeRow {
  machine: Machine;
  /** The machine's fastest FFF against its fastest dense at this shape and runtime. */
  measured: MeasuredComparison;
  /** Against the baseline machine; absent on the baseline's own row, or where the baseline did not measure the shape. */
  fff?: Ratio;
  dense?: Ratio;
}

export interface ShapeComparison {
  runtime: string;
  shape: Result['shape'];
  /** Baseline first (when it measured the shape), then the other machines in report order. */
  rows: MachineShapeRow[];
  /** Whether the baseline measured this shape (otherwise no ratio is shown). */
  hasBaseline: boolean;
}

/** "Intel Xeon (1fd89dfb9ac7)": a machine in sentences and table cells. */
export const machineName = (m: Machine) => `${m.cpuModel} (${m.id})`;

/**
 * Per runtime and shape, each machine's best comparison (fastest FFF against fastest dense); when
 * several files hold the same shape on one machine, the last one wins (as in the charts).
 */
export function bestPerShape(best: MeasuredComparison[]): Map<string, Map<string, MeasuredComparison>> {
  const byShape = new Map<string, Map<string, MeasuredComparison>>();
  for (const m of best) {
    const key = `${m.comparison.runtime}|${shapeKey(m.comparison.shape)}`;
    const ofShape = byShape.get(key) ?? new Map<string, MeasuredComparison>();
    ofShape.set(m.machine.id, m);
    byShape.set(key, ofShape);
  }
  return byShape;
}

/** baseline median / other median, with the bootstrap interval when both results kept their samples. */
export function ratioOfResults(baseline: Result, other: Result): Ratio {
  const a = baseline.stats!;
  const b = other.stats!;
  if (a.samples.length > 0 && b.samples.length > 0) return ratioOfMedians(a.samples, b.samples);
  return { ratio: a.median / b.median };
}

/** The shapes at least two machines measured on one runtime, in the order they were first met. */
export function shapeComparisons(best: MeasuredComparison[], machines: Machine[], baselineId: string): ShapeComparison[] {
  const order = machines.map((m) => m.id);
  const out: ShapeComparison[] = [];
  for (const ofShape of bestPerShape(best).values()) {
    if (ofShape.size < 2) continue;
    const base = ofShape.get(baselineId);
    const measured = [...ofShape.values()].sort((a, b) => rank(a) - rank(b));
    const rows = measured.map((m): MachineShapeRow => {
      if (!base || m === base) return { machine: m.machine, measured: m };
      return { machine: m.machine, measured: m, fff: ratioOfResults(base.fff, m.fff), dense: ratioOfResults(base.dense, m.dense) };
    });
    out.push({ runtime: measured[0].comparison.runtime, shape: measured[0].comparison.shape, rows, hasBaseline: Boolean(base) });
  }
  return out;

  function rank(m: MeasuredComparison): number {
    return m.machine.id === baselineId ? -1 : order.indexOf(m.machine.id);
  }
}

/** "1.70x [1.62x, 1.79x]", or "1.70x (no samples kept)" for a reduced file. */
export function ratioText(r: Ratio | undefined): string {
  if (!r) return '—';
  if (r.ciLow === undefined || r.ciHigh === undefined) return `${formatRatio(r.ratio)} (no samples kept: no interval)`;
  return `${formatRatio(r.ratio)} [${formatRatio(r.ciLow)}, ${formatRatio(r.ciHigh)}]`;
}

/** "1.70x [1.62x, 1.79x] faster", or "1.25x [1.20x, 1.31x] slower" (the ratio turned round). */
function fasterText(r: Ratio): string {
  if (r.ratio >= 1) return `${ratioText(r)} faster`;
  const inverse = { ratio: 1 / r.ratio, ...(r.ciLow !== undefined && r.ciHigh !== undefined ? { ciLow: 1 / r.ciHigh, ciHigh: 1 / r.ciLow } : {}) };
  return `${ratioText(inverse)} slower`;
}

/**
 * "B is 1.70x [1.62x, 1.79x] faster on the dense layer but only 1.10x [1.05x, 1.15x] faster on the
 * FFF than A, so its FFF speedup is 0.65x A's": how one machine differs from the baseline at a shape.
 */
export function rowSentence(row: MachineShapeRow, baseline: Machine): string {
  const { fff, dense } = row;
  if (!fff || !dense) return '';
  // "but" where the two sides moved opposite ways, "but only" where the FFF gained less of the same gain.
  const only = fff.ratio >= 1 !== dense.ratio >= 1 ? 'but ' : fff.ratio >= 1 && dense.ratio > fff.ratio ? 'but only ' : 'and ';
  return `${machineName(row.machine)} is ${fasterText(dense)} on the dense layer ${only}${fasterText(fff)} on the FFF than ${machineName(baseline)}, so its FFF speedup is ${formatRatio(fff.ratio / dense.ratio)} the baseline's.`;
}

export interface ShapeTableText {
  title: string;
  header: string[];
  rows: string[][];
  /** One sentence per machine other than the baseline. */
  sentences: string[];
}

/** A shape's table as text: the speedup table's own cells (speedup-rows.ts) with the ratio columns beside them. */
export function shapeTableText(c: ShapeComparison, baseline: Machine): ShapeTableText {
  const cells = speedupCells(
    ['fastestFff', 'fastestDense', 'speedup'],
    c.rows.map((r) => ({ shape: c.shape, fff: r.measured.fff, dense: r.measured.dense, comparison: r.measured.comparison })),
  );
  const header = [
    'machine',
    cells.header[0],
    'FFF: × faster than baseline [95% CI]',
    cells.header[1],
    'dense: × faster than baseline [95% CI]',
    cells.header[2],
  ];
  const rows = c.rows.map((r, k) => {
    const [fffCell, denseCell, speedupCell] = cells.rows[k];
    const isBaseline = r.machine.id === baseline.id;
    return [machineName(r.machine), fffCell, isBaseline ? 'baseline' : ratioText(r.fff), denseCell, isBaseline ? 'baseline' : ratioText(r.dense), speedupCell];
  });
  return {
    title: `${c.runtime} · ${formatShape(c.shape)} (training width ${c.shape.trainingWidth})`,
    header,
    rows,
    sentences: c.hasBaseline
      ? c.rows.map((r) => rowSentence(r, baseline)).filter(Boolean)
      : [`The baseline, ${machineName(baseline)}, did not measure this shape: no ratio to show.`],
  };
}
