/** summary.md: verdicts, speedup tables and context in GitHub Markdown (fit for a CI job summary). */
import { claimPanels } from '../charts/claim-speedup.ts';
import { fullTitle } from '../charts/spec.ts';
import { setupText } from '../../src/claims/claims.ts';
import { markdownTable as table } from '../../src/text/table.ts';
import type { ReportModel } from './model.ts';
import { machinesMarkdown } from '../machines/render.ts';
import { encoderMarkdown, questionLine, questionRow } from '../encoder/render.ts';
import { gapText, LIMITS_HEADER, ROOFLINE_EXPLANATION } from '../roofline-text.ts';
import {
  boundText,
  intervalText,
  limitCell,
  notMeasuredText,
  pointText,
  shownPoint,
  sidesText,
  verdictLabel,
  verdictSentence,
  whereReachedText,
} from '../claims/phrases.ts';
import type { Verdict } from '../../src/claims/verdicts.ts';

function verdictRow(v: Verdict): string[] {
  const c = v.claim;
  const claim = `${c.claimedSpeedup}x: ${c.statement} (arXiv ${c.source.arxiv}, ${c.source.location})`;
  const label = verdictLabel(v);
  const hardware = `claim: ${v.hardware.claim}; here: ${v.hardware.here}`;
  const p = shownPoint(v);
  if (p) {
    return [claim, label, limitCell(v), pointText(p), intervalText(p) + (v.unjudged ? ' (not judged)' : ''), sidesText(p), whereReachedText(v), hardware];
  }
  const closest = v.closest ? `nothing at ${setupText(c)}; nearest: ${pointText(v.closest)} — not judged` : `nothing at ${setupText(c)}`;
  return [claim, label, limitCell(v), closest, v.closest ? `${intervalText(v.closest)} (not comparable)` : '—', '—', '—', hardware];
}

/** The verdict table and a few lines per claim: the first thing summary.md shows. */
export function renderVerdictsMarkdown(
  model: Pick<ReportModel, 'verdicts' | 'closestConfigurationRule' | 'limitRule' | 'sections'> & Partial<Pick<ReportModel, 'question'>>,
): string {
  const out: string[] = [];
  out.push('## Do the papers’ speedups hold here?');
  const question = model.question ? [questionRow(model.question)] : [];
  out.push(
    table(
      ['claim', 'verdict', 'what limits it', 'configuration read', 'speedup [95% CI]', 'threads', 'where reached here', 'hardware'],
      [...model.verdicts.map(verdictRow), ...question],
    ),
  );
  for (const v of model.verdicts) {
    const lines = [`- **${v.claim.id}**: ${verdictSentence(v)} Cost-model bound at the claim's setup: ${boundText(v)}.`];
    const charts = claimPanels(model.sections, v.claim.id);
    if (charts.length > 0) lines.push(`  - Chart: ${charts.map((p) => `[${fullTitle(p)}](charts/${p.id}.png)`).join(', ')}`);
    if (v.reach) lines.push(`  - Where: ${v.reach.text}`);
    if (v.batches) lines.push(`  - Batch size: ${v.batches.text}`);
    lines.push(`  - Hardware: the claim was measured on ${v.hardware.claim}; this is ${v.hardware.here}.`);
    if (v.best?.floors) lines.push(`  - What the hardware allows there (roofline): ${gapText(v.best.speedup, v.best.theoretical, v.best.floors)}`);
    if (v.perTarget.length > 0) lines.push('  - Each backend against its own dense kernel (not what the verdict reads: a slow dense kernel inflates these):');
    lines.push(
      ...v.perTarget.map(
        (p) =>
          `    - ${p.runtime} · ${p.backend} (${p.machineId}): ${intervalText(p)} at depth ${p.shape.depth}${p.reaches ? ' — reaches the claim' : ''}${p.notJudgedBecause ? ' — not judged' : ''}`,
      ),
    );
    if (v.notMeasuredCases.length > 0) lines.push(`  - Cases in the claim's setup without a measurement: ${notMeasuredText(v.notMeasuredCases).join('; ')}`);
    if (v.claim.caveat) lines.push(`  - Caveat: ${v.claim.caveat}`);
    out.push(lines.join('\n'));
  }
  if (model.question) out.push(questionLine(model.question));
  out.push(`<details><summary>How a verdict is reached</summary>\n\n${model.closestConfigurationRule}\n\n${model.limitRule}\n\n</details>`);
  return out.join('\n\n');
}

export function renderMarkdown(model: ReportModel): string {
  const out: string[] = [];
  const ctx = model.context;
  out.push(`# ${model.title}`);
  // The verdicts first: they answer the question the suite exists for.
  out.push(renderVerdictsMarkdown(model));
  out.push(`**${model.headline}**`);
  out.push(
    ctx.sources
      .map(
        (s) =>
          `- \`${s.suiteFile}\` (suite **${s.suite}**), ${s.startedAt} → ${s.finishedAt}, git ${s.git}; ${s.counts.ok} ok, ${s.counts.skipped} skipped, ${s.counts.failed} failed, ${s.counts.invalid} invalid`,
      )
      .join('\n'),
  );

  if (model.machines)
    out.push(
      machinesMarkdown(
        model.machines,
        model.sections.find((s) => s.id === model.machines!.sectionId),
      ),
    );

  out.push('## Speedup tables');
  if (ctx.roofline) out.push(ROOFLINE_EXPLANATION);
  if (ctx.limits.length > 0) {
    out.push(
      `### Machine limits\nCalibrated at the start of each run: sustained read and copy bandwidth, and the best dense GEMM throughput (i = o = 768, width 4096, batch 256) per backend.\n\n${table(LIMITS_HEADER, ctx.limits)}`,
    );
  }
  for (const t of ctx.tables) {
    out.push(`### ${t.title}\n${t.kernels ? `${t.kernels}\n\n` : ''}${table(t.header, t.rows, true)}`);
  }
  if (ctx.tables.length === 0) out.push('No comparison was measured (no FFF and dense pair with status ok).');
  if (model.encoder) out.push(encoderMarkdown(model.encoder));

  out.push('## Charts');
  const chartLines: string[] = [];
  for (const section of model.sections) {
    const panels = section.groups.flatMap((g) => g.panels);
    chartLines.push(
      `- **${section.title}**: ${panels.length > 0 ? panels.map((p) => `[${fullTitle(p)}](charts/${p.id}.png)`).join(', ') : ''}${section.missing.length ? ` ${section.missing.join(' ')}` : ''}`,
    );
  }
  out.push(`${chartLines.join('\n')}\n\nThe interactive page with every chart is \`index.html\` in this folder (opens offline).`);

  if (ctx.notMeasured.length > 0) {
    out.push('## Not measured');
    out.push(
      table(
        ['status', 'reason', 'cases', 'e.g.'],
        ctx.notMeasured.map((n) => [n.status, n.reason, String(n.count), n.examples.join(', ')]),
      ),
    );
  }

  out.push('## Where and how it ran');
  out.push(
    table(
      ['machine (fingerprint)', 'os / arch', 'cores', 'memory'],
      ctx.machines.map((m) => [
        `${m.cpuModel} (${m.id}, host ${m.hostname})`,
        `${m.os} / ${m.arch}`,
        String(m.cpuCores),
        `${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB`,
      ]),
    ),
  );
  // with several machines each row says whose it is (the page's table always does)
  const whose = ctx.machines.length > 1;
  out.push(
    table(
      [...(whose ? ['machine'] : []), 'runtime', 'backend', 'threads', 'dense kernel', 'FFF strategy', 'notes'],
      ctx.targets.map((t) => [
        ...(whose ? [t.machine] : []),
        t.runtime,
        t.backend + (t.nonGpuAdapter ? ` ⚠ ${t.nonGpuAdapter} adapter` : ''),
        String(t.threads),
        t.denseKernel,
        t.fffStrategy,
        t.notes,
      ]),
    ),
  );
  // One measurement table per distinct method (usually all files share one).
  const methods = new Map<string, string[]>();
  for (const s of ctx.sources) methods.set(JSON.stringify(s.measurement), [...(methods.get(JSON.stringify(s.measurement)) ?? []), s.suite]);
  for (const [method, suites] of methods) out.push(table([`measurement (${suites.join(', ')})`, ''], JSON.parse(method) as string[][]));
  return `${out.join('\n\n')}\n`;
}
