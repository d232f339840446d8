/**
 * The "Machines compared" section's tables and sentences, for the page (placed around the section's
 * charts by page/html.ts) and for summary.md (page/markdown.ts): the same text in both, laid out
 * by the shared table helpers.
 */
import { fullTitle, type ChartSection } from '../charts/spec.ts';
import { esc, table as htmlTable } from '../render/html.ts';
import type { MachinesComparison } from './compared.ts';
import { markdownTable as mdTable } from '../../src/text/table.ts';

const CALIBRATION_NOTE =
  'Calibrated at the start of each run. Read bytes per FLOP (read bandwidth / peak GEMM) is the machine’s balance: the FFF is memory-bound, the dense layer at large batch compute-bound, so the FFF’s speedup should follow it.';

const RATIO_NOTE =
  'Each machine’s fastest FFF and fastest dense layer of the runtime; “× faster than baseline” is the baseline’s median / this machine’s (above 1x: faster here), with a 95% bootstrap interval of that ratio of medians from the raw samples (none for files reduced by history --prune).';

const VERDICT_NOTE = 'Each claim judged on each machine’s results alone, by the same rule as the verdicts above.';

/** The section's content before its charts (calibrations, why, verdicts) and after them (the per-shape tables). */
export function machinesHtml(m: MachinesComparison): { before: string; after: string } {
  const why = `<ul class="why">${m.why.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>`;
  const calibration =
    m.calibration.rows.length > 0 ? htmlTable(m.calibration.header, m.calibration.rows) : '<p class="missing">No machine’s results file has a calibration.</p>';
  const caveats =
    m.caveats.length > 0
      ? [`<h3 id="machines-caveats">Not the hardware alone</h3><ul class="why">${m.caveats.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>`]
      : [];
  const before = [
    ...caveats,
    `<h3 id="machines-calibration">Calibrations, and why the speedups differ</h3><p class="subtitle">${esc(CALIBRATION_NOTE)}</p>`,
    calibration,
    why,
    `<h3 id="machines-verdicts">Claim verdicts on each machine</h3><p class="subtitle">${esc(VERDICT_NOTE)}</p>`,
    htmlTable(m.verdicts.header, m.verdicts.rows),
  ].join('\n');
  const shapes = m.shapes.map(
    ({ text }) =>
      `<h4>${esc(text.title)}</h4>${text.sentences.map((s) => `<p class="ratio-sentence">${esc(s)}</p>`).join('')}${htmlTable(text.header, text.rows, 'machine-ratios')}`,
  );
  const after = [
    `<h3 id="machines-shapes">Per shape: medians on each machine, and the ratio to the baseline</h3><p class="subtitle">${esc(RATIO_NOTE)}</p>`,
    ...(shapes.length > 0 ? shapes : ['<p class="missing">No shape was measured on two machines with the same runtime.</p>']),
  ].join('\n');
  return { before, after };
}

/** The section in summary.md: the same tables, the sentences as bullets, and links to its PNGs. */
export function machinesMarkdown(m: MachinesComparison, section: ChartSection | undefined): string {
  const out: string[] = [];
  out.push(`## Machines compared\n\n${section?.description ?? ''}`);
  if (m.caveats.length > 0) out.push(`### Not the hardware alone\n\n${m.caveats.map((s) => `- ⚠ ${s}`).join('\n')}`);
  out.push(`### Calibrations, and why the speedups differ\n\n${CALIBRATION_NOTE}`);
  if (m.calibration.rows.length > 0) out.push(mdTable(m.calibration.header, m.calibration.rows));
  out.push(m.why.map((s) => `- ${s}`).join('\n'));
  out.push(`### Claim verdicts on each machine\n\n${VERDICT_NOTE}\n\n${mdTable(m.verdicts.header, m.verdicts.rows)}`);
  const panels = section?.groups.flatMap((g) => g.panels) ?? [];
  const charts = panels.length > 0 ? panels.map((p) => `- [${fullTitle(p)}](charts/${p.id}.png)`).join('\n') : (section?.missing ?? []).join(' ');
  out.push(`### Charts\n\n${charts}`);
  out.push(`### Per shape: medians on each machine, and the ratio to the baseline\n\n${RATIO_NOTE}`);
  for (const { text } of m.shapes) {
    out.push(`#### ${text.title}\n\n${text.sentences.map((s) => `${s}\n\n`).join('')}${mdTable(text.header, text.rows)}`);
  }
  if (m.shapes.length === 0) out.push('No shape was measured on two machines with the same runtime.');
  return out.join('\n\n');
}
