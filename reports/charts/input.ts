/**
 * What the charts are drawn from: everything measured in the report's results files,
 * deduplicated, with the claim verdicts (for marking where a claim is reached), the headline claim
 * (drawn on the speedup charts) and one colour per runtime · backend.
 */
import type { Machine, Result, ResultsFile } from '../../src/results/schema.ts';
import { headlineClaim, type Claim, type ClaimsFile } from '../../src/claims/claims.ts';
import { encoderPoints, type EncoderPoint } from '../../src/claims/encoder-question.ts';
import { measuredComparisons, type MeasuredComparison } from '../../src/claims/measured.ts';
import type { Verdict } from '../../src/claims/verdicts.ts';
import { colorMap } from './colors.ts';

export interface MeasuredResult {
  machine: Machine;
  result: Result;
}

/** When several files hold the same case on one machine, the last file wins. */
export interface ChartInput {
  machines: Machine[];
  /** The machine the others are compared with (the first one unless the report names another). */
  baselineMachineId: string;
  comparisons: MeasuredComparison[];
  /** Per runtime and shape: the fastest FFF against the fastest dense (the machine's speedup). */
  best: MeasuredComparison[];
  /** The claim verdicts, for marking where each claim is reached. */
  verdicts: Verdict[];
  /** The claim drawn as a line on every speedup-against-width chart (paper-claims.json `headline`). */
  headline?: Claim;
  /** Every ok layer result (not the encoder layers: they have their own chart). */
  results: MeasuredResult[];
  /** Encoder layers: per configuration, the fastest tree layer against each dense layer (src/claims/encoder-question.ts). */
  encoder: EncoderPoint[];
  color: (runtime: string, backend: string) => string;
}

export function chartInput(files: ResultsFile[], verdicts: Verdict[], claims: ClaimsFile, baselineMachineId?: string): ChartInput {
  const machines = new Map<string, Machine>();
  const comparisons = new Map<string, MeasuredComparison>();
  const results = new Map<string, MeasuredResult>();
  for (const file of files) machines.set(file.machine.id, file.machine);
  for (const m of measuredComparisons(files)) comparisons.set(`${m.machine.id}/${m.comparison.treeId}`, m);
  for (const file of files) {
    for (const result of file.results) {
      if (result.status === 'ok' && result.stats && result.model !== 'encoder')
        results.set(`${file.machine.id}/${result.id}`, { machine: file.machine, result });
    }
  }
  const best = new Map(measuredComparisons(files, 'best').map((m) => [`${m.machine.id}/${m.comparison.treeId}/${m.comparison.denseId}`, m]));
  const color = colorMap([
    ...[...comparisons.values()].map((m) => ({ runtime: m.comparison.runtime, backend: m.comparison.backend })),
    ...[...results.values()].map((r) => ({ runtime: r.result.runtime.name, backend: r.result.backend.name })),
  ]);
  return {
    machines: [...machines.values()],
    baselineMachineId: baselineMachineId ?? files[0]?.machine.id ?? '',
    comparisons: [...comparisons.values()],
    best: [...best.values()],
    results: [...results.values()],
    encoder: encoderPoints(files),
    verdicts,
    headline: headlineClaim(claims),
    color,
  };
}
