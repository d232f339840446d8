/**
 * index.html: one self-contained page. chart.js (its UMD build), the shared chart config code and the
 * chart data are inlined, so the page opens from file:// with no network. Verdicts come first: a
 * reader sees whether the papers' speedups hold before any chart.
 */
import { chartScripts } from '../render/chart-runtime.ts';
import { claimPanels, CLAIMS_SECTION_ID } from '../charts/claim-speedup.ts';
import { fullTitle, type ChartSection, type ChartSpec } from '../charts/spec.ts';
import { setupText } from '../../src/claims/claims.ts';
import { formatRatio, treeLabel } from '../../src/text/format.ts';
import { esc, STYLE, table } from '../render/html.ts';
import type { ReportModel } from './model.ts';
import { machinesHtml } from '../machines/render.ts';
import { encoderHtml, questionCard } from '../encoder/render.ts';
import { gapText, LIMITS_HEADER, ROOFLINE_EXPLANATION } from '../roofline-text.ts';
import {
  boundText,
  intervalText,
  LIMIT_NAME,
  limitCell,
  notMeasuredText,
  pointText,
  shownPoint,
  sidesText,
  verdictSentence,
  VERDICT_NAME,
} from '../claims/phrases.ts';
import type { Verdict } from '../../src/claims/verdicts.ts';

/** One chart panel: its canvas (spec `specs.length - 1` once pushed), the machine when several, a link to its PNG. */
function figure(p: ChartSpec, specs: ChartSpec[]): string {
  specs.push(p);
  const machine = p.machine ? `<figcaption>${esc(p.machine)}</figcaption>` : '';
  return `<figure>${machine}<div class="chart-box"><canvas data-chart-index="${specs.length - 1}" role="img" aria-label="${esc(fullTitle(p))}"></canvas></div><p class="png"><a href="charts/${esc(p.id)}.png">PNG</a></p></figure>`;
}

/** The claim's chart on its card (claims section of the registry), or nothing. */
function cardChart(v: Verdict, sections: ChartSection[], specs: ChartSpec[]): string {
  const panels = claimPanels(sections, v.claim.id);
  if (panels.length === 0) return '';
  return `<div class="claim-chart"><p class="subtitle">${esc(panels[0].title)}. ${esc(panels[0].subtitle)}</p><div class="panels n${panels.length}">${panels.map((p) => figure(p, specs)).join('')}</div></div>`;
}

function verdictCard(v: Verdict, sections: ChartSection[], specs: ChartSpec[]): string {
  const c = v.claim;
  const rows: string[][] = [];
  rows.push(['claim measured on', v.hardware.claim]);
  rows.push(['this machine', v.hardware.here]);
  const p = shownPoint(v);
  if (p) {
    rows.push([v.best ? 'configuration the verdict reads' : 'fastest matching configuration (not judged)', pointText(p)]);
    rows.push([`${treeLabel(p.shape)} / dense (threads)`, sidesText(p)]);
    rows.push([v.best ? 'measured speedup [95% CI]' : 'measured speedup [95% CI] (not judged)', intervalText(p)]);
    if (v.unjudged) rows.push(['why not judged', v.unjudged.notJudgedBecause ?? '']);
    if (v.reach) rows.push(['where the claim is reached here', v.reach.text]);
    if (v.batches) rows.push(['where across batch sizes the speedup is largest', v.batches.text]);
    rows.push(['theoretical bound there', formatRatio(p.theoretical)]);
    if (p.floors) rows.push(['what the hardware allows there (roofline)', gapText(p.speedup, p.theoretical, p.floors)]);
    rows.push(['matching measurements (judged)', `${v.matchingCount} (${v.judgedCount})`]);
    if (v.gap) rows.push(['gap to the claim', `${formatRatio(v.gap)} (claimed / upper end of the interval)`]);
    if (v.limit) rows.push(['what limits it here', limitCell(v)]);
  } else if (v.closest) {
    rows.push([
      'nearest measured configuration (not judged)',
      `${pointText(v.closest)}: ${intervalText(v.closest)}, theoretical ${formatRatio(v.closest.theoretical)}`,
    ]);
    rows.push(['differs from the claim in', v.closest.differences.join(', ')]);
  }
  rows.push(["cost-model bound at the claim's setup", boundText(v)]);
  for (const p of v.perTarget)
    rows.push([
      `${p.runtime} · ${p.backend} on ${p.machineId}, against its own dense`,
      `${intervalText(p)} at depth ${p.shape.depth}${p.reaches ? ' (reaches the claim)' : ''}`,
    ]);
  if (v.notMeasuredCases.length > 0) {
    rows.push(['cases in this setup without a measurement', notMeasuredText(v.notMeasuredCases).join('; ')]);
  }
  return `<article class="verdict ${v.status}">
  <div class="badge">${VERDICT_NAME[v.status]}</div>${v.limit ? ` <div class="badge limit ${v.limit.kind}">${esc(LIMIT_NAME[v.limit.kind])}</div>` : ''}
  <h3>${c.claimedSpeedup}x: ${esc(c.statement)}</h3>
  <p class="source"><a href="${esc(c.source.url)}">${esc(c.source.paper)}, arXiv ${esc(c.source.arxiv)}</a>, ${esc(c.source.location)}. Original setup: ${esc(c.originalSetup)}. Judged at: ${esc(setupText(c))}.</p>
  <p class="summary">${esc(verdictSentence(v))}</p>
  ${cardChart(v, sections, specs)}
  ${table(['', ''], rows, 'kv')}
  ${c.caveat ? `<p class="caveat">Caveat: ${esc(c.caveat)}</p>` : ''}
</article>`;
}

function chartsHtml(model: ReportModel, specs: ChartSpec[]): string {
  return (
    model.sections
      // The claims' charts are drawn on their cards (verdictCard).
      .filter((section) => section.id !== CLAIMS_SECTION_ID)
      .map((section) => {
        const groups = section.groups
          .map((g) => {
            const panels = g.panels.map((p) => figure(p, specs)).join('');
            return `<div class="group"><h3>${esc(g.title)}</h3><p class="subtitle">${esc(g.panels[0].subtitle)}</p><div class="panels n${g.panels.length}">${panels}</div></div>`;
          })
          .join('');
        const missing = section.missing.map((m) => `<p class="missing">${esc(m)}</p>`).join('');
        // The machines-compared section carries tables around its charts (machines/render.ts).
        const around = model.machines && section.id === model.machines.sectionId ? machinesHtml(model.machines) : { before: '', after: '' };
        return `<section id="${section.id}"><h2>${esc(section.title)}</h2><p>${esc(section.description)}</p>${around.before}${missing}${groups}${around.after}</section>`;
      })
      .join('\n')
  );
}

function contextHtml(model: ReportModel): string {
  const ctx = model.context;
  const parts: string[] = ['<section id="context"><h2>Where and how it ran</h2>'];
  parts.push('<h3>Machines</h3>');
  parts.push(
    table(
      ['fingerprint', 'CPU', 'cores', 'memory', 'OS / arch', 'host'],
      ctx.machines.map((m) => [m.id, m.cpuModel, String(m.cpuCores), `${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB`, `${m.os} / ${m.arch}`, m.hostname]),
    ),
  );
  parts.push('<h3>Runtimes and backends</h3>');
  parts.push(
    table(
      ['machine', 'runtime', 'backend', 'threads', 'dense kernel', 'FFF strategy', 'notes'],
      ctx.targets.map((t) => [
        t.machine,
        t.runtime,
        t.nonGpuAdapter ? `${t.backend} ⚠ ${t.nonGpuAdapter.toUpperCase()} ADAPTER (not GPU numbers)` : t.backend,
        String(t.threads),
        t.denseKernel,
        t.fffStrategy,
        t.notes,
      ]),
    ),
  );
  parts.push('<h3>Results files, suites and measurement</h3>');
  for (const s of ctx.sources) {
    const rows: string[][] = [
      ['file', s.path],
      ['suite', `${s.suite} (${s.suiteFile})`],
      ['run', `${s.startedAt} → ${s.finishedAt}`],
      ['tool / git / seed', `${s.tool} / ${s.git} / ${s.seed}`],
      ['machine', s.machine.id],
      ['cases', `${s.counts.ok} ok, ${s.counts.skipped} skipped, ${s.counts.failed} failed, ${s.counts.invalid} invalid`],
      ...s.measurement,
    ];
    parts.push(table(['', ''], rows, 'kv'));
  }
  parts.push('<h3>Cases without a measurement</h3>');
  parts.push(
    ctx.notMeasured.length === 0
      ? '<p>None: every case was measured and passed the float64 reference check.</p>'
      : table(
          ['status', 'reason', 'cases', 'e.g.'],
          ctx.notMeasured.map((n) => [n.status, n.reason, String(n.count), n.examples.join(', ')]),
        ),
  );
  parts.push('</section>');
  return parts.join('\n');
}

export function renderHtml(model: ReportModel): string {
  const specs: ChartSpec[] = [];
  const cards = model.verdicts.map((v) => verdictCard(v, model.sections, specs)).join('\n');
  const claimCharts = model.sections.find((s) => s.id === CLAIMS_SECTION_ID);
  const claimChartsMissing = (claimCharts?.missing ?? []).map((m) => `<p class="missing">${esc(m)}</p>`).join('');
  const charts = chartsHtml(model, specs);
  const machines = model.context.machines.map((m) => `${m.cpuModel} (${m.id})`).join(', ');
  const limits =
    model.context.limits.length > 0
      ? `<h3 id="machine-limits">Machine limits</h3><p class="subtitle">Calibrated at the start of each run: sustained read and copy bandwidth, and the best dense GEMM throughput (i = o = 768, width 4096, batch 256) per backend.</p>${table(LIMITS_HEADER, model.context.limits)}`
      : '';
  const rooflineNote = model.context.roofline ? `<p class="roofline-note">${esc(ROOFLINE_EXPLANATION)}</p>` : '';
  const tables = model.context.tables
    .map((t) => `<h3>${esc(t.title)}</h3>${t.kernels ? `<p class="subtitle">${esc(t.kernels)}</p>` : ''}${table(t.header, t.rows)}`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(model.title)}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(model.title)}</h1>
<p class="lede">FFF (fast feedforward, arXiv 2308.14711) against the dense feedforward layer of the same training width. Machine${model.context.machines.length > 1 ? 's' : ''}: ${esc(machines)}. Generated ${esc(model.generatedAt)}.</p>
<section id="verdicts"><h2>Do the papers’ speedups hold here?</h2>
<div class="verdicts">${cards}
${questionCard(model.question)}</div>${claimChartsMissing}
<details><summary>How a verdict is reached</summary><p>${esc(model.closestConfigurationRule)}</p><p>${esc(model.limitRule)}</p></details>
</section>
<p class="headline">${esc(model.headline)}</p>
${charts}
<section id="tables"><h2>Speedup tables</h2>${rooflineNote}${limits}${tables || '<p>No comparison was measured.</p>'}</section>
${model.encoder ? encoderHtml(model.encoder) : ''}
${contextHtml(model)}
${chartScripts(specs)}
</body></html>
`;
}
