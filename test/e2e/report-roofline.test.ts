/**
 * The roofline in the report: machine limits, ×floor and roofline-speedup columns, the "distance to
 * the roofline" chart (drawn in headless Chromium), the gap explained on the verdict; and files
 * without roofline data (older runs, or calibrate: false) still render, without those parts.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { withReportPage } from '../browser.ts';
import { rooflineFloor, type Calibration } from '../../src/measure/roofline.ts';
import type { Result, ResultsFile } from '../../src/results/schema.ts';
import { craftResults, FIG3 } from '../crafted-results.ts';
import { scaledStats } from '../plant-slowdown.ts';
import { runCli, tempDir, writeTinySuite } from '../support.ts';

/** Three depths at one batch: enough for one roofline panel with two lines (FFF, dense). */
const DEPTHS = [1, 2, 3].map((depth) => ({ inputDim: 16, outputDim: 8, depth, leafWidth: 2, batchSize: 8, activation: 'relu' as const }));

/** A plausible 2-core machine: 20 GB/s read, 100 GFLOP/s peak. */
const CALIBRATION: Calibration = {
  readBandwidth: 20e9,
  copyBandwidth: 24e9,
  peakFlops: 100e9,
  peakBackend: 'ort-node',
  gemmFlops: { 'ort-node': 100e9, wasm: 40e9, js: 4e9 },
};

let dir: string;
let calibratedReport: string;

before(() => {
  dir = tempDir();
  // A real run with calibration on (the default for shipped suites; writeTinySuite turns it off for speed).
  const suite = writeTinySuite(dir, { runtimes: ['node'], backends: ['js'], shapes: DEPTHS, name: 'tiny-roofline' });
  const spec = JSON.parse(readFileSync(suite, 'utf8'));
  spec.measurement.calibrate = true;
  writeFileSync(suite, JSON.stringify(spec));
  const resultsPath = join(dir, 'calibrated.json');
  const run = runCli(['run', suite, '--out', resultsPath]);
  assert.equal(run.status, 0, run.stderr);
  const file = JSON.parse(readFileSync(resultsPath, 'utf8')) as ResultsFile;
  assert.ok(file.machine.calibration?.node, 'the run calibrated node');
  assert.ok(
    file.results.every((r) => r.roofline),
    'every ok result has a roofline floor',
  );
  calibratedReport = join(dir, 'calibrated-report');
  const r = runCli(['report', resultsPath, '--out', calibratedReport]);
  assert.equal(r.status, 0, r.stderr);
});

/** Multiplies every time in a result's stats (the crafted medians are 1 ms; the floors at d = 12 are far longer). */
function scaleTimes(r: Result, factor: number): void {
  if (r.stats) r.stats = scaledStats(r.stats, factor);
}

/** The paper's setup at d = 10 and 12 with hand-set floors: dense compute-bound, the FFF memory-bound. */
function craftedWithRoofline(): ResultsFile {
  const file = craftResults([
    { shape: FIG3(10), speedup: 90 },
    { shape: FIG3(12), speedup: 215, ciLow: 205, ciHigh: 219 },
  ]);
  file.machine.calibration = { node: CALIBRATION };
  for (const r of file.results) {
    scaleTimes(r, 2000);
    const floor = rooflineFloor(r.model, r.shape, CALIBRATION);
    r.roofline = { ...floor, multiple: r.stats!.median / floor.floorNs };
  }
  return file;
}

test('summary.md: machine limits, roofline columns and the gap to the bound explained by the two floors', () => {
  const path = join(dir, 'crafted-roofline.json');
  const file = craftedWithRoofline();
  writeFileSync(path, JSON.stringify(file));
  const out = join(dir, 'crafted-roofline-report');
  const r = runCli(['report', path, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const summary = readFileSync(join(out, 'summary.md'), 'utf8');
  assert.match(summary, /### Machine limits/);
  assert.match(summary, /\| crafted-machine \| node \| crafted \| 20\.0 \| 24\.0 \| 100\.0 \| ort-node \| ort-node 100\.0, wasm 40\.0, js 4\.0 \|/);
  assert.match(summary, /\| roofline speedup \| efficiency \| FFF ×floor \| dense ×floor \|/);

  // d = 12, batch 256: dense 103 GFLOP at 100 GFLOP/s ≈ 1.03 s; the FFF ≈ 50 MB at 20 GB/s ≈ 2.5 ms: about 410x allowed.
  const [fff, dense] = ['fff', 'dense'].map((m) => file.results.find((x) => x.model === m && x.shape.depth === 12)!.roofline!);
  assert.equal(dense.bound, 'compute');
  assert.equal(fff.bound, 'memory');
  const allowed = dense.floorNs / fff.floorNs;
  assert.ok(allowed > 350 && allowed < 470, `roofline speedup ${allowed}`);
  const row = summary.split('\n').find((l) => l.startsWith('| i768 o768 d12 ℓ32 b256 |')) ?? '';
  assert.match(row, new RegExp(`\\| ${allowed.toFixed(0)}x \\|`), row);
  assert.match(row, /\| \d+\.\d+x \(memory\) \| \d+\.\d+x \(compute\) \|$/, row);

  // The verdict reads d = 12 and explains its gap: 3,449x (MACs) → ~410x (floors) → 215x (kernels).
  assert.match(
    summary,
    new RegExp(
      `What the hardware allows there \\(roofline\\): The cost model allows 3449x \\(a ratio of multiply-adds\\); the floors allow ${allowed.toFixed(0)}x: dense [\\d.]+ (s|ms), compute-bound / FFF [\\d.]+ ms, memory-bound`,
    ),
  );
  assert.match(summary, new RegExp(`Measured 215x = ${allowed.toFixed(0)}x × dense`));
  assert.match(summary, /The roofline speedup, dense floor \/ FFF floor, is the speedup the hardware allows/);
  assert.match(readFileSync(join(out, 'index.html'), 'utf8'), /what the hardware allows there \(roofline\)/);
});

test('a results file without roofline data renders without the limits, the columns or the chart, and says why', () => {
  const path = join(dir, 'crafted-old.json');
  const file = craftResults(
    [
      { shape: FIG3(10), speedup: 90 },
      { shape: FIG3(12), speedup: 215 },
    ],
    { calibrated: false },
  );
  assert.equal(file.machine.calibration, undefined);
  writeFileSync(path, JSON.stringify(file));
  const out = join(dir, 'crafted-old-report');
  const r = runCli(['report', path, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const summary = readFileSync(join(out, 'summary.md'), 'utf8');
  assert.doesNotMatch(summary, /Machine limits|roofline speedup|×floor|What the hardware allows/);
  assert.match(summary, /\*\*Distance to the roofline\*\*: +No chart: these results files carry no roofline floors/);
  assert.match(summary, /\| i768 o768 d12 ℓ32 b256 \| 131072 \|/);
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /id="machine-limits"/);
  assert.ok(!readdirSync(join(out, 'charts')).some((n) => n.startsWith('roofline')));
});

test('a calibrated run: the page shows the limits and draws the distance-to-the-roofline chart (headless Chromium)', async (t) => {
  const summary = readFileSync(join(calibratedReport, 'summary.md'), 'utf8');
  assert.match(summary, /### Machine limits\n/);
  assert.match(summary, /\| \S+ \| node \| tiny-roofline \| [\d.]+ \| [\d.]+ \| [\d.]+ \| \S+ \|/);
  const pngs = readdirSync(join(calibratedReport, 'charts')).filter((n) => n.startsWith('roofline-depth-'));
  assert.deepEqual(pngs, ['roofline-depth-i16-o8-relu-l2-b8.png']);

  await withReportPage(t, join(calibratedReport, 'index.html'), async (page, problems) => {
    assert.deepEqual(problems, []);
    assert.match((await page.textContent('#machine-limits')) ?? '', /Machine limits/);
    assert.match((await page.textContent('#tables')) ?? '', /roofline speedup.*FFF ×floor.*dense ×floor/s);
    // The chart as chart.js holds it: log y, the FFF and dense lines with one point per depth, and the floor at 1x.
    const chart = await page.evaluate(() => {
      const canvas = document.querySelector('#roofline canvas') as HTMLCanvasElement;
      const instance = (
        window as unknown as {
          Chart: {
            getChart(c: HTMLCanvasElement): {
              data: { datasets: { label: string; data: { x: number; y: number }[] }[] };
              options: { scales: { y: { type: string } } };
            };
          };
        }
      ).Chart.getChart(canvas);
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let inked = 0;
      for (let k = 0; k < data.length; k += 4) if (data[k + 3] > 0 && data[k] + data[k + 1] + data[k + 2] < 600) inked += 1;
      return {
        label: canvas.getAttribute('aria-label'),
        yType: instance.options.scales.y.type,
        datasets: instance.data.datasets.map((d: { label: string; data: { x: number; y: number }[] }) => ({
          label: d.label,
          xs: d.data.map((p) => p.x),
          ys: d.data.map((p) => p.y),
        })),
        inkedShare: inked / (canvas.width * canvas.height),
      };
    });
    assert.match(chart.label ?? '', /^Distance to the roofline: i=16, o=8, ℓ=2, batch 8/);
    assert.equal(chart.yType, 'logarithmic');
    assert.deepEqual(
      chart.datasets.map((d: { label: string }) => d.label),
      ['dense · node · js', 'FFF · node · js', 'the floor (1x): as fast as the machine allows'],
    );
    for (const d of chart.datasets.slice(0, 2)) {
      assert.deepEqual(d.xs, [1, 2, 3]);
      assert.ok(
        d.ys.every((y: number) => Number.isFinite(y) && y > 0),
        `${d.label}: ${d.ys}`,
      );
    }
    assert.ok(chart.inkedShare > 0.005, `blank canvas (${(chart.inkedShare * 100).toFixed(2)}% drawn)`);
  });
});
