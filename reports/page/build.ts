/** Assembles a report from results files and writes index.html, charts/*.png and summary.md. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultsFile } from '../../src/results/schema.ts';
import { buildChartSections } from '../charts/registry.ts';
import type { LoadedResults } from './load.ts';
import { buildContext } from './context.ts';
import type { ReportModel } from './model.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { writeChartPngs } from '../render/png.ts';
import { formatPercent, formatRatio, formatShape, treeLabel } from '../../src/text/format.ts';
import { gapText } from '../roofline-text.ts';
import { loadClaims } from '../../src/claims/claims.ts';
import { measuredComparisons } from '../../src/claims/measured.ts';
import { judgeClaims } from '../../src/claims/verdicts.ts';
import { buildMachinesComparison } from '../machines/compared.ts';
import { encoderPoints, encoderQuestion } from '../../src/claims/encoder-question.ts';
import { buildEncoderSection } from '../encoder/section.ts';

export interface ReportOptions {
  /** With results from several machines: the one the others are compared with (an id or a unique prefix; default the first). */
  baselineMachine?: string;
}

/**
 * The page's first line: the largest speedup of the fastest FFF against the fastest dense layer of
 * one runtime (any backends) — a backend's own pair can look larger only because its dense is slow.
 */
function headline(files: ResultsFile[]): string {
  const measured = measuredComparisons(files, 'best');
  const pairs = measuredComparisons(files).length;
  if (measured.length === 0) return 'No FFF and dense pair was measured (see the cases without a measurement below).';
  const { comparison: best, floors } = measured.reduce((a, b) => (b.comparison.speedup > a.comparison.speedup ? b : a));
  const roofline = floors ? ` ${gapText(best.speedup, best.theoreticalSpeedup, floors)}` : '';
  const tree = treeLabel(best.shape);
  const which =
    best.treeBackend && best.treeBackend !== best.denseBackend ? `${tree} on ${best.treeBackend} against dense on ${best.denseBackend}` : `${best.backend}`;
  return `Fastest ${tree} against fastest dense: ${formatRatio(best.speedup)} [95% CI ${formatRatio(best.speedupCiLow)}, ${formatRatio(best.speedupCiHigh)}] on ${best.runtime} (${which}) at ${formatShape(best.shape)} (width ${best.shape.trainingWidth}), ${formatPercent(best.efficiency)} of its ${formatRatio(best.theoreticalSpeedup)} cost-model bound; ${pairs} per-backend FFF/dense pairs measured.${roofline}`;
}

export function buildReport(loaded: LoadedResults[], options: ReportOptions = {}): ReportModel {
  const files: ResultsFile[] = loaded.map((l) => l.data);
  const claims = loadClaims();
  const suites = [...new Set(files.map((f) => f.suite.name))].join(', ');
  const verdicts = judgeClaims(files, claims);
  // Built first: it checks --baseline-machine (a UserError naming the machines) before any chart is drawn.
  const machines = buildMachinesComparison(files, claims, options.baselineMachine);
  const encoder = buildEncoderSection(files);
  return {
    title: `fffbench report: ${suites}`,
    generatedAt: new Date().toISOString(),
    sections: buildChartSections(files, verdicts, claims, machines?.baseline.id),
    ...(machines ? { machines } : {}),
    verdicts,
    question: encoderQuestion(encoderPoints(files), claims),
    ...(encoder ? { encoder } : {}),
    closestConfigurationRule: claims.closestConfigurationRule,
    limitRule: claims.limitRule,
    context: buildContext(loaded),
    headline: headline(files),
  };
}

export interface WrittenReport {
  dir: string;
  indexHtml: string;
  summaryMd: string;
  pngs: string[];
}

export function writeReport(loaded: LoadedResults[], dir: string, options: ReportOptions = {}): WrittenReport {
  const model = buildReport(loaded, options);
  const panels = model.sections.flatMap((section) => section.groups.flatMap((group) => group.panels));
  const pngs = writeChartPngs(join(dir, 'charts'), panels, () => true);
  const indexHtml = join(dir, 'index.html');
  writeFileSync(indexHtml, renderHtml(model));
  const summaryMd = join(dir, 'summary.md');
  writeFileSync(summaryMd, renderMarkdown(model));
  return { dir, indexHtml, summaryMd, pngs };
}
