/**
 * A report as plain data: what page/build.ts assembles and every renderer (page/html.ts,
 * page/markdown.ts, render/png.ts) draws. Renderers import this, never the builder, so data flows
 * one way: results → model → files.
 */
import type { ChartSection } from '../charts/spec.ts';
import type { EncoderQuestion } from '../../src/claims/encoder-question.ts';
import type { EncoderSection } from '../encoder/section.ts';
import type { MachinesComparison } from '../machines/compared.ts';
import type { ReportContext } from './context.ts';
import type { Verdict } from '../../src/claims/verdicts.ts';

export interface ReportModel {
  title: string;
  generatedAt: string;
  sections: ChartSection[];
  verdicts: Verdict[];
  /** paper-claims.json's rule for which measured configuration a verdict reads, printed under the verdicts. */
  closestConfigurationRule: string;
  /** paper-claims.json's rule for what limits a claim that is not reproduced, printed beside it. */
  limitRule: string;
  context: ReportContext;
  /** One line with the fastest measured speedup and its bound, or why there is none. */
  headline: string;
  /** Results from two or more machines: the tables of the "Machines compared" section (its charts are in `sections`). */
  machines?: MachinesComparison;
  /** The verdict table's row that is not a claim: how much of the 78x reaches a whole encoder layer (src/claims/encoder-question.ts). */
  question: EncoderQuestion;
  /** The encoder layers' tables, where the files hold any (their chart is in `sections`). */
  encoder?: EncoderSection;
}
