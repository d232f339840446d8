/** One entry of the chart registry (charts/registry.ts): a section of the report's charts. */
import type { ChartInput } from './input.ts';
import type { ChartGroup } from './spec.ts';

export interface ChartDefinition {
  /** The section's anchor on the page, and the prefix of its charts' ids and PNG file names. */
  id: string;
  title: string;
  /** One or two sentences under the title: what the charts show and how to read them. */
  description: string | ((input: ChartInput) => string);
  /** The section's charts, and what the data supports but the section leaves out (said under the title). */
  build(input: ChartInput): { groups: ChartGroup[]; leftOut?: string[] };
  /** Why the data supports no chart at all, naming what to run. */
  whenEmpty(input: ChartInput): string;
  /**
   * A section that belongs only to some reports (machines compared needs two machines): absent
   * from the others, rather than present and empty. Absent: the section is always shown.
   */
  onlyWhen?(input: ChartInput): boolean;
}

/** The advice most empty sections give: the charts need a depth sweep. */
export const NO_DEPTH_SWEEP =
  'No chart: no runtime · backend measured two depths of the same shape and batch: run a depth sweep (e.g. the quick or paper-fig3 suite).';
