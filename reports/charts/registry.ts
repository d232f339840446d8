/**
 * The report's charts, one entry per section in page order. Adding a chart is adding an entry: a
 * ChartDefinition (its id, title, description, how to build its groups, what to say when the data
 * supports none), usually in a file of its own beside this one.
 */
import type { ResultsFile } from '../../src/results/schema.ts';
import { loadClaims, type ClaimsFile } from '../../src/claims/claims.ts';
import type { Verdict } from '../../src/claims/verdicts.ts';
import { claimSpeedupChart } from './claim-speedup.ts';
import type { ChartDefinition } from './definition.ts';
import { chartInput } from './input.ts';
import { latencyDepthChart } from './latency-depth.ts';
import { rooflineChart } from './roofline.ts';
import { runtimesChart } from './runtimes.ts';
import type { ChartSection } from './spec.ts';
import { speedupBatchChart } from './speedup-batch.ts';
import { efficiencyChart, speedupWidthChart } from './speedup-width.ts';
import { machinesChart } from './machines.ts';
import { encoderSpeedupChart } from './encoder-speedup.ts';

export const CHARTS: ChartDefinition[] = [
  speedupWidthChart,
  speedupBatchChart,
  latencyDepthChart,
  efficiencyChart,
  rooflineChart,
  runtimesChart,
  claimSpeedupChart,
  machinesChart,
  encoderSpeedupChart,
];

/**
 * Every section the data calls for (see ChartDefinition.onlyWhen), with the charts the data
 * supports; a section without one says why and what to run. `baselineMachineId`: the machine the
 * machines-compared charts list first (default: the first file's).
 */
export function buildChartSections(
  files: ResultsFile[],
  verdicts: Verdict[] = [],
  claims: ClaimsFile = loadClaims(),
  baselineMachineId?: string,
): ChartSection[] {
  const input = chartInput(files, verdicts, claims, baselineMachineId);
  return CHARTS.filter((chart) => chart.onlyWhen?.(input) ?? true).map((chart) => {
    const { groups, leftOut = [] } = chart.build(input);
    return {
      id: chart.id,
      title: chart.title,
      description: typeof chart.description === 'function' ? chart.description(input) : chart.description,
      groups,
      missing: groups.length > 0 ? leftOut : [chart.whenEmpty(input), ...leftOut],
    };
  });
}
