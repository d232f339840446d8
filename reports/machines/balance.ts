/**
 * Why the FFF's speedup differs between machines, from each machine's calibration and the shapes
 * both machines measured.
 *
 * The reasoning the sentences test (never assume): the FFF reads a leaf's weights per sample and
 * does little arithmetic per byte, so it is memory-bound and its time scales with read bandwidth;
 * the dense layer at large batch is a GEMM, compute-bound, its time scaling with peak GEMM
 * throughput. Its speedup (t_dense / t_FFF) then scales with bandwidth per FLOP (readBandwidth /
 * peakFlops): a machine with more bytes per FLOP gains more from the FFF. Each sentence compares
 * that prediction with the measured change of the speedup, and where they disagree says which side
 * strayed from its limit.
 *
 * Two things besides the hardware can differ between the files: the measurement method (method 1
 * read bandwidth on one thread, method 2 on every core: src/results/method.ts), whose read
 * bandwidths are then compared one thread against one thread, and a runtime's version, which each
 * sentence on that runtime names instead of laying the engine's difference at the hardware's door.
 */
import { METHOD_VERSIONS, readBandwidthPair, type ReadBandwidthPair } from '../../src/results/method.ts';
import type { Machine } from '../../src/results/schema.ts';
import { formatRatio, formatReadBandwidth } from '../../src/text/format.ts';
import { machineName, type ShapeComparison } from './ratios.ts';

/** What the machines' files say besides their machine: the method each was measured by, the versions each runtime ran. */
export interface MachineRuns {
  method(m: Machine): number;
  /** The versions `runtime` ran on `m` (sorted; empty where it did not run). */
  versions(m: Machine, runtime: string): string[];
}

type Calibration = NonNullable<Machine['calibration']>[string];

/** A change within 10% either way reads as "about the same" (run-to-run shifts reach that on a shared VM). */
const SAME = 1.1;

const giga = (x: number) => (x / 1e9).toFixed(1);
const bytesPerFlop = (c: Calibration) => c.readBandwidth / c.peakFlops;
const bpfText = (c: Calibration) => bytesPerFlop(c).toPrecision(3);
const pairText = (p: ReadBandwidthPair) => (p.figure === 'oneThread' ? ' (one thread each)' : '');
const x = formatRatio;
const geoMean = (xs: number[]) => Math.exp(xs.reduce((a, v) => a + Math.log(v), 0) / xs.length);

function direction(v: number): 'larger' | 'smaller' | 'about the same' {
  return v > SAME ? 'larger' : v < 1 / SAME ? 'smaller' : 'about the same';
}

export const CALIBRATION_HEADER = [
  'machine',
  'runtime',
  'peak GEMM GFLOP/s (backend)',
  'read GB/s',
  'read bytes per FLOP',
  'peak vs baseline',
  'read vs baseline',
  'bytes per FLOP vs baseline',
];

/**
 * One row per machine (baseline first) and runtime it calibrated: the limits side by side, and their
 * ratio to the baseline's; read bandwidth like with like across methods (one thread each), "—"
 * where the files hold no figure in common.
 */
export function calibrationRows(machines: Machine[], baseline: Machine, runs: MachineRuns): string[][] {
  const rows: string[][] = [];
  for (const m of machines) {
    for (const [runtime, c] of Object.entries(m.calibration ?? {})) {
      const base = baseline.calibration?.[runtime];
      const isBaseline = m.id === baseline.id;
      const pair = base && readBandwidthPair(c, runs.method(m), base, runs.method(baseline));
      const read = isBaseline ? 'baseline' : pair ? `${x(pair.value / pair.baseline)}${pairText(pair)}` : '—';
      const balance = isBaseline ? 'baseline' : pair && base ? `${x(pair.value / c.peakFlops / (pair.baseline / base.peakFlops))}${pairText(pair)}` : '—';
      rows.push([
        machineName(m),
        runtimeWithVersions(runtime, runs.versions(m, runtime)),
        `${giga(c.peakFlops)} (${c.peakBackend})`,
        formatReadBandwidth(c),
        bpfText(c),
        isBaseline ? 'baseline' : base ? x(c.peakFlops / base.peakFlops) : '—',
        read,
        balance,
      ]);
    }
  }
  return rows;
}

/** "node 26.10.0", or the bare name where no result of it ran. */
function runtimeWithVersions(runtime: string, versions: string[]): string {
  return versions.length > 0 ? `${runtime} ${versions.join(', ')}` : runtime;
}

/** Said before any machine is compared: methods or runtime versions that differ from the baseline's. */
export function caveats(machines: Machine[], baseline: Machine, runs: MachineRuns, shapes: ShapeComparison[]): string[] {
  const out: string[] = [];
  const baseMethod = runs.method(baseline);
  for (const m of machines) {
    if (m.id === baseline.id || runs.method(m) === baseMethod) continue;
    out.push(
      `${machineName(m)} was measured by method ${runs.method(m)} (${METHOD_VERSIONS[runs.method(m)] ?? 'unknown to this version of fffbench'}), the baseline ${machineName(baseline)} by method ${baseMethod} (${METHOD_VERSIONS[baseMethod] ?? 'unknown to this version of fffbench'}): ` +
        "read bandwidth is compared one thread against one thread, the figure both files hold (each runtime's row says so), never one file's every-core figure against the other's one-thread one.",
    );
  }
  const runtimes = [...new Set(shapes.map((s) => s.runtime))];
  for (const runtime of runtimes) {
    const base = runs.versions(baseline, runtime);
    for (const m of machines) {
      if (m.id === baseline.id) continue;
      const mine = runs.versions(m, runtime);
      if (mine.length === 0 || base.length === 0 || versionsEqual(mine, base)) continue;
      out.push(
        `${runtime}: ${machineName(m)} ran ${mine.join(', ')}, the baseline ${base.join(', ')}. Every difference on ${runtime} below is the hardware's and the engine's together; this report does not attribute it to the hardware alone (run both machines on the same pinned version to separate them).`,
      );
    }
  }
  return out;
}

const versionsEqual = (a: string[], b: string[]) => a.length === b.length && a.every((v, k) => v === b[k]);

/** The clause a sentence on `runtime` ends with where the machines ran different versions of it. */
export function versionClause(m: Machine, baseline: Machine, runtime: string, runs: MachineRuns): string {
  const [mine, base] = [runs.versions(m, runtime), runs.versions(baseline, runtime)];
  if (mine.length === 0 || base.length === 0 || versionsEqual(mine, base)) return '';
  return ` Not the hardware's alone: ${runtime} ran ${mine.join(', ')} here and ${base.join(', ')} on the baseline, so part of this may be the engine's.`;
}

/** The measured change on one runtime: geometric means over the shapes both machines measured. */
interface Measured {
  shapes: number;
  fff: number;
  dense: number;
  /** This machine's FFF speedup / the baseline's. */
  speedup: number;
  /** Of the shapes with roofline floors on this machine: how many had a memory-bound FFF and a compute-bound dense layer. */
  floors: number;
  fffMemoryBound: number;
  denseComputeBound: number;
}

function measuredChange(machine: Machine, runtime: string, shapes: ShapeComparison[]): Measured | undefined {
  const rows = shapes.filter((s) => s.runtime === runtime).flatMap((s) => s.rows.filter((r) => r.machine.id === machine.id && r.fff && r.dense));
  if (rows.length === 0) return undefined;
  const fff = geoMean(rows.map((r) => r.fff!.ratio));
  const dense = geoMean(rows.map((r) => r.dense!.ratio));
  const withFloors = rows.filter((r) => r.measured.floors);
  return {
    shapes: rows.length,
    fff,
    dense,
    speedup: fff / dense,
    floors: withFloors.length,
    fffMemoryBound: withFloors.filter((r) => r.measured.floors!.fff.bound === 'memory').length,
    denseComputeBound: withFloors.filter((r) => r.measured.floors!.dense.bound === 'compute').length,
  };
}

function boundsText(m: Measured): string {
  if (m.floors === 0) return '';
  return ` (on this machine the fastest FFF was memory-bound at ${m.fffMemoryBound} of ${m.floors} shapes, the fastest dense layer compute-bound at ${m.denseComputeBound})`;
}

/** One machine against the baseline on one runtime; undefined when either lacks the calibration or no shape was shared. */
function runtimeSentence(machine: Machine, baseline: Machine, runtime: string, shapes: ShapeComparison[], runs: MachineRuns): string {
  return balanceSentence(machine, baseline, runtime, shapes, runs) + versionClause(machine, baseline, runtime, runs);
}

function balanceSentence(machine: Machine, baseline: Machine, runtime: string, shapes: ShapeComparison[], runs: MachineRuns): string {
  const name = `${machineName(machine)} on ${runtime}`;
  const c = machine.calibration?.[runtime];
  const b = baseline.calibration?.[runtime];
  if (!c || !b) {
    const which = !c ? 'its results file has' : `the baseline's results file has`;
    return `${name}: ${which} no calibration for ${runtime}, so its peak GEMM and bandwidth cannot explain the difference (calibration runs by default: measurement.calibrate).`;
  }
  const pair = readBandwidthPair(c, runs.method(machine), b, runs.method(baseline));
  if (!pair) {
    return `${name}: its file (method ${runs.method(machine)}) and the baseline's (method ${runs.method(baseline)}) hold no read bandwidth measured the same way, so bandwidth per FLOP cannot explain the difference.`;
  }
  const [mine, theirs] = [pair.value / c.peakFlops, pair.baseline / b.peakFlops];
  const oneThread = pair.figure === 'oneThread' ? ' one-thread' : '';
  const balance = `${mine.toPrecision(3)} against the baseline's ${theirs.toPrecision(3)} bytes of${oneThread} read bandwidth per FLOP of peak GEMM${pair.figure === 'oneThread' ? ' (one thread each: the files were measured by different methods)' : ''}`;
  const m = measuredChange(machine, runtime, shapes);
  if (!m) return `${name}: ${balance}, but no shape was measured on both machines with ${runtime}, so nothing shows how its speedup differs.`;
  const predicted = mine / theirs;
  const rb = pair.value / pair.baseline;
  const pk = c.peakFlops / b.peakFlops;
  const over = `geometric mean over ${m.shapes} shape${m.shapes === 1 ? '' : 's'} measured on both`;
  const sides = `the FFF ran ${x(m.fff)} as fast as on the baseline with ${x(rb)} its${oneThread} read bandwidth, the dense layer ${x(m.dense)} as fast with ${x(pk)} its peak GEMM`;
  const [said, shown] = [direction(predicted), direction(m.speedup)];
  if (said === shown && said === 'about the same') {
    return `${name}: about the baseline's bandwidth per FLOP (${balance}, ${x(predicted)}) and about its FFF speedup (${x(m.speedup)} the baseline's, ${over}): ${sides}${boundsText(m)}.`;
  }
  if (said === shown) {
    return `${name}: its FFF speedup is ${x(m.speedup)} the baseline's (${over}), ${shown}, as its bandwidth per FLOP predicts (${balance}, ${x(predicted)}): the memory-bound FFF follows bandwidth and the compute-bound dense layer peak GEMM, and ${sides}${boundsText(m)}.`;
  }
  // The data contradict the balance argument: say which side strayed further from what its limit predicts.
  const fffOff = Math.abs(Math.log(m.fff / rb));
  const denseOff = Math.abs(Math.log(m.dense / pk));
  const culprit = fffOff >= denseOff ? 'the FFF strayed further from its bandwidth ratio' : 'the dense layer strayed further from its peak-GEMM ratio';
  const expected = said === 'about the same' ? 'about the same speedup' : `a ${said} one (${x(predicted)})`;
  return `${name}: its FFF speedup is ${x(m.speedup)} the baseline's (${over}), ${shown === 'about the same' ? 'about the same' : shown}, although its bandwidth per FLOP (${balance}) predicts ${expected}: ${sides}, so ${culprit}${boundsText(m)}.`;
}

/** One sentence per machine (and runtime it calibrated): the baseline's balance, then each other machine's against it. */
export function whySentences(machines: Machine[], baseline: Machine, shapes: ShapeComparison[], runs: MachineRuns): string[] {
  const sentences: string[] = [];
  const baseCal = Object.entries(baseline.calibration ?? {});
  sentences.push(
    baseCal.length > 0
      ? `${machineName(baseline)} is the baseline: ${baseCal.map(([runtime, c]) => `${bpfText(c)} bytes of read bandwidth per FLOP of peak GEMM on ${runtime} (${giga(c.readBandwidth)} GB/s, ${giga(c.peakFlops)} GFLOP/s)`).join('; ')}.`
      : `${machineName(baseline)} is the baseline; its results file has no calibration, so no machine's speedup can be explained by its limits.`,
  );
  for (const m of machines) {
    if (m.id === baseline.id) continue;
    // The runtimes it shares a shape with the baseline on; without any, the ones it calibrated (to say so).
    const shared = [...new Set(shapes.filter((s) => s.hasBaseline && s.rows.some((r) => r.machine.id === m.id)).map((s) => s.runtime))];
    const runtimes = shared.length > 0 ? shared : Object.keys(m.calibration ?? {});
    if (runtimes.length === 0) sentences.push(`${machineName(m)}: no calibration and no shape shared with the baseline.`);
    for (const runtime of runtimes) sentences.push(runtimeSentence(m, baseline, runtime, shapes, runs));
  }
  return sentences;
}
