/**
 * What limits a claim, everywhere a verdict appears (terminal text, summary.md, the page's cards,
 * `fffbench export`), and each claim card's chart: the fastest tree against the fastest dense of each
 * runtime on the axis the claim varies, the claim's line and the speedup the floors allow. From
 * crafted results: 220x reproduced, 3.93x hardware-limited, 78x kernel-limited (the tree at 3.42x
 * its floor, measured at five batch sizes).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { ResultsFile } from '../../src/results/schema.ts';
import { buildChartSections } from '../../reports/charts/registry.ts';
import { loadClaims } from '../../src/claims/claims.ts';
import { renderVerdictsText } from '../../reports/claims/text.ts';
import { judgeClaims } from '../../src/claims/verdicts.ts';
import { assertPngDrawn, canvasInk, withReportPage } from '../browser.ts';
import { craftResults, FIG3, TABLE1, UFB78 } from '../crafted-results.ts';
import { runCli, tempDir } from '../support.ts';

const BATCHES = [1, 16, 256, 4096, 16384];
const TREE = { backend: 'wasm-mt', denseBackend: 'ort-node' } as const;

/** 78x: the tree at 3.42x its floor and the dense at 1.25x at the claim's batch, so the floors allow 46.5 × 3.42 / 1.25 = 127x. */
function crafted(): ResultsFile {
  return craftResults([
    ...[10, 11, 12, 13].map((depth) => ({ shape: FIG3(depth), speedup: 30 * 2 ** (depth - 10), fffMultiple: 1.5, ...TREE })),
    ...[4, 5, 6, 7].map((depth) => ({ shape: { ...TABLE1, depth }, speedup: 0.2 * 2 ** (depth - 4), fffMultiple: 1.5, ...TREE })),
    ...BATCHES.map((batch, k) => ({
      shape: UFB78(batch),
      speedup: [107, 30.7, 41.6, 48.7, 46.5][k],
      fffMultiple: [1.5, 4, 3.8, 3.5, 3.42][k],
      denseMultiple: 1.25,
      ...TREE,
    })),
  ]);
}

let dir: string;
let file: ResultsFile;
let resultsPath: string;
let reportDir: string;

before(() => {
  dir = tempDir();
  file = crafted();
  resultsPath = join(dir, 'limits.json');
  writeFileSync(resultsPath, JSON.stringify(file));
  reportDir = join(dir, 'report');
  const r = runCli(['report', resultsPath, '--out', reportDir]);
  assert.equal(r.status, 0, r.stderr);
});

test('the verdicts: reproduced, hardware-limited and kernel-limited', () => {
  const [fig3, table1, ufb] = judgeClaims([file]);
  assert.deepEqual([fig3.status, table1.status, ufb.status], ['reproduced', 'not-reproduced', 'not-reproduced']);
  assert.deepEqual([fig3.limit?.kind, table1.limit?.kind, ufb.limit?.kind], [undefined, 'hardware', 'tree-kernel']);
  assert.ok(Math.abs(ufb.limit!.allowed! - (46.5 * 3.42) / 1.25) < 1e-6);
});

test('the terminal names each limit with its multiples', () => {
  const text = renderVerdictsText(judgeClaims([file]));
  assert.match(text, /✅ reproduced — 220x/);
  assert.match(text, /❌ not reproduced \(\d\.\d\dx short\) · hardware-limited — 3\.93x/);
  assert.match(text, /❌ not reproduced \(1\.\d\dx short\) · kernel-limited — 78x/);
  assert.match(
    text,
    /Kernel-limited: not reached here by these kernels: the UltraFastBERT FFF \(wasm-mt, 1 thread\) ran at 3\.42x its floor, above the 2\.00x the tree rule allows; this machine's limits allow 127x there/,
  );
});

test('summary.md: a limit column, the limit after each summary, a chart link per claim, and the rule', () => {
  const summary = readFileSync(join(reportDir, 'summary.md'), 'utf8');
  const row = (claim: string) => summary.split('\n').find((l) => l.startsWith(`| ${claim}`)) ?? '';
  assert.match(summary, /\| claim \| verdict \| what limits it \|/);
  assert.match(row('220x'), /\| ✅ reproduced \| — \|/);
  assert.match(row('3.93x'), /\| ❌ not reproduced \(\d\.\d\dx short\) \| hardware-limited: floors allow \d\.\d\dx \|/);
  assert.match(row('78x'), /\| ❌ not reproduced \(1\.\d\dx short\) \| kernel-limited: UltraFastBERT FFF \(wasm-mt\) 3\.42x its floor; floors allow 127x \|/);
  assert.match(summary, /\*\*ultrafastbert-78x-cpu\*\*: Not reproduced: .* Kernel-limited: /);
  for (const id of ['fff-up-to-220x', 'fff-table1-mnist-3-93x', 'ultrafastbert-78x-cpu'])
    assert.ok(summary.includes(`(charts/claims-${id}.png)`), `${id}: chart link`);
  assert.ok(summary.includes(loadClaims().limitRule));
});

test('the page: a limit badge and the claim chart on each card', () => {
  const html = readFileSync(join(reportDir, 'index.html'), 'utf8');
  // the claims' cards; the encoder question's card (class "verdict question") is not a claim's
  const cards = html
    .split('<article class="verdict ')
    .slice(1)
    .filter((card) => !card.startsWith('question'));
  assert.equal(cards.length, 3);
  assert.ok(!cards[0].includes('badge limit'));
  assert.match(cards[1], /<div class="badge limit hardware">hardware-limited<\/div>/);
  assert.match(cards[2], /<div class="badge limit tree-kernel">kernel-limited<\/div>/);
  assert.match(cards[2], /what limits it here/);
  for (const [k, id] of ['fff-up-to-220x', 'fff-table1-mnist-3-93x', 'ultrafastbert-78x-cpu'].entries()) {
    assert.match(cards[k], /<canvas data-chart-index="\d+"/, `${id}: a chart on its card`);
    assert.ok(cards[k].includes(`charts/claims-${id}.png`));
  }
  // Drawn once, on the card: not again among the chart sections.
  assert.equal(html.split('charts/claims-ultrafastbert-78x-cpu.png').length, 2);
});

test("the 78x card's chart: fastest tree against fastest dense across batch sizes, the 78x line and what the floors allow", async () => {
  const sections = buildChartSections([file], judgeClaims([file]));
  const group = sections.find((s) => s.id === 'claims')!.groups.find((g) => g.claimId === 'ultrafastbert-78x-cpu')!;
  const [spec] = group.panels;
  assert.equal(spec.x.label, 'batch size');
  const series = (label: RegExp) => spec.series.find((s) => label.test(s.label));
  const fastest = series(/^node · fastest UltraFastBERT FFF vs fastest dense$/)!;
  assert.deepEqual(
    fastest.points.map((p) => [p.x, p.y]),
    BATCHES.map((b, k) => [b, [107, 30.7, 41.6, 48.7, 46.5][k]]),
  );
  const claim = series(/^claim: 78x/)!;
  assert.equal(claim.role, 'claim');
  assert.deepEqual(
    claim.points.map((p) => p.y),
    [78, 78],
  );
  const allowed = series(/^node · what the floors allow/)!;
  assert.ok(Math.abs(allowed.points.at(-1)!.y - (46.5 * 3.42) / 1.25) < 1e-6);
  assert.deepEqual(series(/^the verdict reads: 46\.5x \(node, batch 16384\)$/)?.points, [{ x: 16384, y: 46.5 }]);
  // The 220x and 3.93x cards chart against the training width.
  for (const id of ['fff-up-to-220x', 'fff-table1-mnist-3.93x']) {
    assert.match(sections.find((s) => s.id === 'claims')!.groups.find((g) => g.claimId === id)!.panels[0].x.label, /training width/);
  }
  // The speedup-against-batch chart draws the same fastest-against-fastest line.
  const batch = sections.find((s) => s.id === 'speedup-batch')!.groups[0].panels[0];
  assert.ok(batch.series.some((s) => s.label === 'node · fastest UltraFastBERT FFF vs fastest dense' && s.points.length === BATCHES.length));
  await assertPngDrawn(join(reportDir, 'charts', 'claims-ultrafastbert-78x-cpu.png'));
});

test('fffbench export: the claim, its verdict and its limit on the two cases each verdict reads', () => {
  const r = runCli(['export', resultsPath, '--format', 'jsonl']);
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const marked = rows.filter((row) => row.claim !== null);
  const of = (claim: string) =>
    marked.filter((row) => row.claim === claim).map((row) => [row.model, row.batch_size, row.depth, row.claim_verdict, row.claim_limit]);
  assert.deepEqual(of('ultrafastbert-78x-cpu'), [
    ['dense', 16384, 11, 'not-reproduced', 'tree-kernel'],
    ['ufb', 16384, 11, 'not-reproduced', 'tree-kernel'],
  ]);
  assert.deepEqual(of('fff-table1-mnist-3.93x'), [
    ['dense', 2048, 7, 'not-reproduced', 'hardware'],
    ['fff', 2048, 7, 'not-reproduced', 'hardware'],
  ]);
  assert.deepEqual(
    of('fff-up-to-220x').map((row) => row.slice(3)),
    [
      ['reproduced', null],
      ['reproduced', null],
    ],
  );
  assert.equal(marked.length, 6);
});

test("Chromium draws each card's chart", async (t) => {
  await withReportPage(t, join(reportDir, 'index.html'), async (page, problems) => {
    const canvases = await canvasInk(page, '#verdicts canvas');
    assert.equal(canvases.length, 3);
    for (const c of canvases) assert.ok(c.inkedShare > 0.005, `${c.label}: blank canvas`);
    assert.deepEqual(problems, []);
  });
});
