/**
 * The "Machines compared" section's content besides its charts (charts/machines.ts), as plain data
 * the page and summary.md both render: the calibrations side by side with one sentence per machine
 * on why its FFF speedup differs (machines/balance.ts), the claim verdicts judged on each machine's
 * files alone, and per shape the medians and their ratio to the baseline machine (machines/ratios.ts).
 * Present only when the results come from two or more machines.
 */
import { UserError } from '../../src/errors.ts';
import type { Machine, ResultsFile } from '../../src/results/schema.ts';
import { MACHINES_SECTION_ID } from '../charts/machines.ts';
import type { ClaimsFile } from '../../src/claims/claims.ts';
import { methodVersionOf } from '../../src/results/method.ts';
import { CALIBRATION_HEADER, calibrationRows, caveats, versionClause, whySentences, type MachineRuns } from './balance.ts';
import { machineName, shapeComparisons, shapeTableText, type ShapeComparison, type ShapeTableText } from './ratios.ts';
import { measuredComparisons } from '../../src/claims/measured.ts';
import { intervalText, limitCell, shownPoint, verdictLabel, whereReachedText } from '../claims/phrases.ts';
import { judgeClaims, type Verdict } from '../../src/claims/verdicts.ts';

export interface TableText {
  header: string[];
  rows: string[][];
}

export interface MachinesComparison {
  /** The chart section this content belongs to: the renderers place it there. */
  sectionId: string;
  baseline: Machine;
  /** Every machine, the baseline first. */
  machines: Machine[];
  /**
   * What differs besides the hardware, said before anything is compared: a measurement method or a
   * runtime version that is not the baseline's.
   */
  caveats: string[];
  /** Peak GEMM and read bandwidth per machine and runtime, and their ratios to the baseline's. */
  calibration: TableText;
  /** One sentence per machine (and runtime): why its FFF speedup is larger or smaller, from the data. */
  why: string[];
  /** Each claim's verdict on each machine's results alone. */
  verdicts: TableText;
  /** Per runtime and shape measured on two or more machines: the numbers, then their text. */
  shapes: (ShapeComparison & { text: ShapeTableText })[];
}

/** The machine `wanted` names (an id, or a prefix of exactly one), or the first machine; a UserError names the choices. */
export function resolveBaselineMachine(machines: Machine[], wanted?: string): Machine {
  if (wanted === undefined) return machines[0];
  const exact = machines.find((m) => m.id === wanted);
  if (exact) return exact;
  const byPrefix = machines.filter((m) => m.id.startsWith(wanted));
  if (byPrefix.length === 1) return byPrefix[0];
  const known = machines.map(machineName).join(', ');
  if (byPrefix.length > 1)
    throw new UserError(`--baseline-machine ${wanted} matches several machines: ${byPrefix.map((m) => m.id).join(', ')}; give more of the id`);
  throw new UserError(`--baseline-machine ${wanted} is none of the machines in these results files: ${known}`);
}

/** "220x on NVIDIA A100 GPU (PyTorch)": a claim in a table row. */
const claimText = (v: Verdict) => `${v.claim.claimedSpeedup}x on ${v.claim.claimHardware}`;

/** One row per claim and machine: status (and gap), what limits it, the speedup the verdict read [95% CI] with its depth, where the claim is reached. */
function verdictRows(files: ResultsFile[], machines: Machine[], claims: ClaimsFile): string[][] {
  const perMachine = machines.map((m) => ({
    machine: m,
    verdicts: judgeClaims(
      files.filter((f) => f.machine.id === m.id),
      claims,
    ),
  }));
  return claims.claims.flatMap((_, k) =>
    perMachine.map(({ machine, verdicts }) => {
      const v = verdicts[k];
      const p = shownPoint(v);
      const measured = p ? `${intervalText(p)} at depth ${p.shape.depth}${v.unjudged ? ' (not judged)' : ''}` : '—';
      return [claimText(v), machineName(machine), verdictLabel(v), limitCell(v), measured, whereReachedText(v)];
    }),
  );
}

/** Per machine: the method its (last) file was measured by, as its calibration is that file's; every version each runtime ran. */
function machineRuns(files: ResultsFile[]): MachineRuns {
  const method = new Map<string, number>();
  const versions = new Map<string, Set<string>>();
  for (const f of files) {
    method.set(f.machine.id, methodVersionOf(f));
    for (const r of f.results) {
      if (r.status !== 'ok') continue;
      const key = `${f.machine.id}/${r.runtime.name}`;
      versions.set(key, (versions.get(key) ?? new Set()).add(r.runtime.version));
    }
  }
  return {
    method: (m) => method.get(m.id) ?? 1,
    versions: (m, runtime) => [...(versions.get(`${m.id}/${runtime}`) ?? [])].sort(),
  };
}

export function buildMachinesComparison(files: ResultsFile[], claims: ClaimsFile, baselineMachine?: string): MachinesComparison | undefined {
  const all = [...new Map(files.map((f) => [f.machine.id, f.machine])).values()];
  // Resolved even for one machine, so a mistyped id is an error rather than silently ignored.
  const baseline = resolveBaselineMachine(all, baselineMachine);
  if (all.length < 2) return undefined;
  const machines = [baseline, ...all.filter((m) => m.id !== baseline.id)];
  const shapes = shapeComparisons(measuredComparisons(files, 'best'), machines, baseline.id);
  const runs = machineRuns(files);
  return {
    sectionId: MACHINES_SECTION_ID,
    baseline,
    machines,
    caveats: caveats(machines, baseline, runs, shapes),
    calibration: { header: CALIBRATION_HEADER, rows: calibrationRows(machines, baseline, runs) },
    why: whySentences(machines, baseline, shapes, runs),
    verdicts: {
      header: ['claim', 'machine', 'verdict', 'what limits it', 'measured speedup [95% CI]', 'where reached'],
      rows: verdictRows(files, machines, claims),
    },
    shapes: shapes.map((s) => {
      const text = shapeTableText(s, baseline);
      // a shape's sentences lay each difference at the hardware's door: say where the engine differed too
      const engine = s.rows.map((r) => versionClause(r.machine, baseline, s.runtime, runs).trim()).filter(Boolean);
      return { ...s, text: { ...text, sentences: [...text.sentences, ...new Set(engine)] } };
    }),
  };
}
