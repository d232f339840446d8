/**
 * `fffbench report`: files written, PNGs not blank, the page draws every chart in headless Chromium
 * with no console errors and no network, verdicts follow the numbers, bad input exits 2.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { canvasInk, pngPixels, withReportPage } from '../browser.ts';
import type { ResultsFile } from '../../src/results/schema.ts';
import { craftMachine, craftResults, FIG3 } from '../crafted-results.ts';
import { runCli, runTinySuite, tempDir } from '../support.ts';

/** Depth 1-3 at two batch sizes: enough for the width, batch, latency and efficiency charts. */
const SWEEP = [1, 2, 3].flatMap((depth) =>
  [1, 8].map((batchSize) => ({ inputDim: 16, outputDim: 8, depth, leafWidth: 2, batchSize, activation: 'relu' as const })),
);

let dir: string;
let resultsPath: string;
let otherMachinePath: string;
let reportDir: string;

before(() => {
  dir = tempDir();
  const { file } = runTinySuite({ runtimes: ['node'], backends: ['js'], shapes: SWEEP, name: 'tiny-report' });
  resultsPath = join(dir, 'tiny.json');
  writeFileSync(resultsPath, JSON.stringify(file));
  // The same numbers filed under a second machine fingerprint: the report must draw both side by side.
  const other: ResultsFile = { ...file, machine: { ...file.machine, id: 'second-machine', cpuModel: 'Other CPU' } };
  otherMachinePath = join(dir, 'other.json');
  writeFileSync(otherMachinePath, JSON.stringify(other));
  reportDir = join(dir, 'report');
  const r = runCli(['report', resultsPath, otherMachinePath, '--out', reportDir]);
  assert.equal(r.status, 0, `report exited ${r.status}\n${r.stderr}`);
  assert.match(r.stdout, /index\.html/);
});

function pngs(): string[] {
  return readdirSync(join(reportDir, 'charts')).filter((f) => f.endsWith('.png'));
}

test('writes index.html, summary.md and one PNG per chart panel, per machine', () => {
  assert.ok(existsSync(join(reportDir, 'index.html')));
  const summary = readFileSync(join(reportDir, 'summary.md'), 'utf8');
  assert.match(summary, /Do the papers’ speedups hold here\?/);
  assert.match(summary, /not measured/);
  const names = pngs();
  for (const section of ['speedup-width', 'speedup-batch', 'latency-depth', 'efficiency']) {
    const ofSection = names.filter((n) => n.startsWith(section));
    assert.ok(
      ofSection.some((n) => n.endsWith('-second-machine.png')),
      `${section}: a panel for the second machine (${names.join(', ')})`,
    );
    assert.equal(ofSection.length % 2, 0, `${section}: one panel per machine`);
  }
  // One runtime only: the runtime comparison is left out, and the report says so.
  assert.ok(!names.some((n) => n.startsWith('runtimes')));
  assert.match(summary, /only node measured/);
});

test('the PNGs decode and are not blank', async () => {
  const names = pngs();
  assert.ok(names.length >= 8, `expected at least 8 charts, got ${names.length}`);
  for (const name of names) {
    const { width, height, data } = await pngPixels(join(reportDir, 'charts', name));
    assert.ok(width >= 900 && height >= 500, `${name}: ${width}×${height}`);
    let sum = 0;
    let sumSq = 0;
    let inked = 0;
    for (let k = 0; k < data.length; k += 4) {
      const luminance = 0.299 * data[k] + 0.587 * data[k + 1] + 0.114 * data[k + 2];
      sum += luminance;
      sumSq += luminance * luminance;
      if (luminance < 200) inked += 1;
    }
    const n = data.length / 4;
    const variance = sumSq / n - (sum / n) ** 2;
    assert.ok(variance > 50, `${name}: pixel variance ${variance.toFixed(1)} (blank?)`);
    assert.ok(inked / n > 0.005, `${name}: only ${((inked / n) * 100).toFixed(2)}% of pixels drawn`);
  }
});

test('index.html draws every chart in headless Chromium, offline, with no console errors', async (t) => {
  await withReportPage(t, join(reportDir, 'index.html'), async (page, problems) => {
    const canvases = await canvasInk(page);
    assert.equal(canvases.length, pngs().length, 'one canvas per PNG chart');
    assert.equal(await page.getAttribute('body', 'data-charts-drawn'), String(canvases.length));
    for (const c of canvases) {
      assert.ok(c.width > 300 && c.height > 200, `${c.label}: canvas ${c.width}×${c.height}`);
      assert.ok(c.inkedShare > 0.005, `${c.label}: blank canvas (${(c.inkedShare * 100).toFixed(2)}% drawn)`);
    }
    assert.deepEqual(problems, []);
    const text = await page.textContent('#verdicts');
    assert.match(text ?? '', /Not measured/);
  });
});

test('a results file that just reaches the 220x claim reads reproduced; one that just misses does not', () => {
  const verdictRow = (summary: string) => summary.split('\n').find((l) => l.startsWith('| 220x: FFF inference is up to 220x')) ?? '';
  const reach = join(dir, 'reach.json');
  const miss = join(dir, 'miss.json');
  const shapes = [FIG3(10), FIG3(12)];
  writeFileSync(
    reach,
    JSON.stringify(
      craftResults([
        { shape: shapes[0], speedup: 90 },
        { shape: shapes[1], speedup: 215, ciLow: 205, ciHigh: 220.01 },
      ]),
    ),
  );
  writeFileSync(
    miss,
    JSON.stringify(
      craftResults([
        { shape: shapes[0], speedup: 90 },
        { shape: shapes[1], speedup: 215, ciLow: 205, ciHigh: 219.99 },
      ]),
    ),
  );
  for (const [file, expected, page] of [
    [reach, /✅ reproduced/, /Reproduced: 215x/],
    [miss, /❌ not reproduced \(1\.00x short\)/, /Not reproduced: the best, 215x/],
  ] as const) {
    const out = join(dir, `${file.endsWith('reach.json') ? 'reach' : 'miss'}-report`);
    const r = runCli(['report', file, '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    const row = verdictRow(readFileSync(join(out, 'summary.md'), 'utf8'));
    assert.match(row, expected);
    assert.match(row, /i768 o768 d12 ℓ32 b256/);
    assert.match(readFileSync(join(out, 'index.html'), 'utf8'), page);
  }
});

test('the default report folder sits next to the first results file; failures and software adapters are shown', () => {
  const file = join(dir, 'crafted-default.json');
  const crafted = craftResults(
    [
      { shape: FIG3(4), speedup: 3, backend: 'webgpu' },
      { shape: FIG3(5), speedup: 3, backend: 'webgpu', fffStatus: 'invalid' },
    ],
    { machine: craftMachine() },
  );
  for (const r of crafted.results) r.backend.notes = 'adapter: llvmpipe (LLVM 15.0.6) [software adapter]';
  writeFileSync(file, JSON.stringify(crafted));
  const r = runCli(['report', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(join(dir, 'crafted-default-report', 'index.html')));
  assert.ok(existsSync(join(dir, 'crafted-default-report', 'summary.md')));
  // One depth and one batch: no chart at all, and every section says why.
  const summary = readFileSync(join(dir, 'crafted-default-report', 'summary.md'), 'utf8');
  assert.match(summary, /No chart: no runtime · backend measured two depths/);
  assert.match(summary, /batch-sweep/);
  assert.match(summary, /\| invalid \| crafted invalid case \| 1 \|/);
  assert.match(summary, /webgpu 1 ⚠ software adapter/);
  assert.match(readFileSync(join(dir, 'crafted-default-report', 'index.html'), 'utf8'), /SOFTWARE ADAPTER/);
});

test('bad input exits 2 with a message naming the file', () => {
  const notJson = join(dir, 'not-json.json');
  writeFileSync(notJson, '{"schemaVersion": 1, "results": [');
  const wrongVersion = join(dir, 'wrong-version.json');
  writeFileSync(wrongVersion, JSON.stringify({ schemaVersion: 99 }));
  const invalid = join(dir, 'invalid.json');
  writeFileSync(invalid, JSON.stringify({ schemaVersion: 1, suite: { name: 'x', file: 'x' } }));
  const missing = join(dir, 'does-not-exist.json');
  for (const file of [notJson, wrongVersion, invalid, missing]) {
    const r = runCli(['report', file, '--out', join(dir, 'bad-report')]);
    assert.equal(r.status, 2, `${file}: exit ${r.status}\n${r.stderr}`);
    assert.ok(r.stderr.includes(file), `${file}: message names the file:\n${r.stderr}`);
    assert.ok(!/\n\s+at /.test(r.stderr), `${file}: no stack trace:\n${r.stderr}`);
  }
  assert.equal(runCli(['report']).status, 2);
  assert.ok(!existsSync(join(dir, 'bad-report')), 'nothing written for bad input');
});
