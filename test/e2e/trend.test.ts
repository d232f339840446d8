/**
 * `fffbench report --history DIR`: on a crafted history of 8 runs (the oldest reduced by history
 * --prune, one run whose machine state changed, and one case planted 40% slower in the last two
 * runs while every other case jitters by ~1%), the trend marks that regression and nothing else,
 * says since when it moved, draws its page and PNGs, and refuses bad requests with exit 2.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { RunComparison } from '../../src/compare/compare.ts';
import { Rng } from '../../src/model/rng.ts';
import { fileResults, reduceRun } from '../../src/results/history.ts';
import type { Result, ResultsFile } from '../../src/results/schema.ts';
import { trendCharts } from '../../reports/trend/charts.ts';
import { selectTrends } from '../../reports/trend/select.ts';
import { marksOf } from '../../reports/trend/model.ts';
import { assertPngDrawn, canvasInk, withReportPage } from '../browser.ts';
import { craftMachine, craftResults } from '../crafted-results.ts';
import { runCli, tempDir } from '../support.ts';

const RUNS = 8;
const MACHINE = 'trend-machine-0001';
const SHAPES = [2, 3, 4].flatMap((depth) => [1, 8].map((batchSize) => ({ inputDim: 16, outputDim: 8, depth, leafWidth: 2, batchSize })));
/** The planted regression: 40% slower from run #7 (index 6) on. */
const REGRESSED = 'node/wasm/fff/i16-o8-d3-l2-b8-relu';
const REGRESSED_LABEL = 'node · wasm · fff · i16 o8 d3 ℓ2 b8';
/** Run #4 (index 3): the node calibration's peak GEMM halves and the js cases run 20% slower. */
const MACHINE_STATE_RUN = 3;

const commitOf = (run: number) => `c0ffee${run + 1}`.padEnd(40, '0');

/** 21 samples spread ±2% around the median, with the median's interval at ±0.5%. */
function stats(median: number): NonNullable<Result['stats']> {
  const samples = Array.from({ length: 21 }, (_, k) => median * (0.98 + (0.04 * k) / 20));
  return {
    unit: 'ns',
    samples,
    min: samples[0],
    p25: samples[5],
    median,
    p75: samples[15],
    p99: samples[20],
    max: samples[20],
    mean: median,
    ciLow: median * 0.995,
    ciHigh: median * 1.005,
    n: samples.length,
  };
}

/** Run `run` of the history: every case's median jittered by up to ±1%, plus what the test plants. */
function craftRun(run: number, rng: Rng): ResultsFile {
  const comparisons = SHAPES.flatMap((shape) => [
    { shape, speedup: 4, backend: 'js' },
    { shape, speedup: 6, backend: 'wasm' },
  ]);
  const file = craftResults(comparisons, { machine: craftMachine(MACHINE), suite: 'nightly' });
  const day = String(run + 1).padStart(2, '0');
  file.startedAt = `2026-01-${day}T02:00:00.000Z`;
  file.finishedAt = `2026-01-${day}T02:10:00.000Z`;
  file.git = { commit: commitOf(run), dirty: false };
  if (run === MACHINE_STATE_RUN) file.machine.calibration!.node = { ...file.machine.calibration!.node, peakFlops: 150e9 };
  for (const r of file.results) {
    let median = r.stats!.median * (1 + 0.02 * (rng.next() - 0.5));
    if (r.id === REGRESSED && run >= RUNS - 2) median *= 1.4;
    if (run === MACHINE_STATE_RUN && r.backend.name === 'js') median *= 1.2;
    r.stats = stats(median);
  }
  return file;
}

let historyDir: string;
let reportDir: string;

before(() => {
  historyDir = join(tempDir(), 'history');
  const rng = new Rng(11);
  for (let run = 0; run < RUNS; run++) {
    const file = craftRun(run, rng);
    // the oldest run as history --prune leaves it: medians and intervals, no samples
    fileResults(historyDir, run === 0 ? reduceRun(file) : file);
  }
  // a second machine with a single run: named as left out, never drawn
  const lone = craftResults([{ shape: SHAPES[0], speedup: 4 }], {
    machine: { ...craftMachine('other-machine-0002'), cpuModel: 'Other CPU' },
    suite: 'nightly',
  });
  fileResults(historyDir, lone);
  reportDir = join(historyDir, '..', 'trend');
  const r = runCli(['report', '--history', historyDir, '--out', reportDir]);
  assert.equal(r.status, 0, `report --history exited ${r.status}\n${r.stderr}`);
  assert.match(r.stdout, /index\.html/);
  assert.match(r.stdout, /nightly on trend-machine-0001: 8 runs, 1 case moved/);
});

describe('trend model', () => {
  it('marks the planted regression and nothing else, and says since when it moved', () => {
    const { trends, leftOut } = selectTrends({ historyDir });
    assert.equal(trends.length, 1);
    assert.match(leftOut.join('\n'), /other-machine-0002 \(Other CPU\): a single run/);
    const trend = trends[0];
    assert.equal(trend.runs.length, RUNS);
    assert.equal(trend.cases.length, SHAPES.length * 4);
    // the reduced run still gives every case a median and an interval
    assert.ok(trend.runs[0].reduced);
    assert.ok(trend.cases.every((c) => c.points[0] && c.points[0].ciLow < c.points[0].median));

    assert.ok(trend.marks.length >= 1, 'the regression is marked');
    for (const m of trend.marks) {
      assert.equal(m.key, REGRESSED, `only the planted case is marked (got ${m.key} in run #${trend.runs[m.runIndex].number})`);
      assert.equal(m.outcome, 'regression');
    }
    const first = trend.marks[0];
    assert.equal(trend.runs[first.runIndex].number, RUNS - 1, 'marked in the first slow run');
    assert.ok(first.gated, 'with 5 runs before it, the mark is gated');
    assert.ok(first.change > 0.35 && first.change < 0.45, `change ${first.change}`);

    assert.equal(trend.moved.length, 1);
    const moved = trend.moved[0];
    assert.equal(moved.key, REGRESSED);
    assert.equal(trend.runs[moved.since.runIndex].commit, commitOf(RUNS - 2).slice(0, 7));
    assert.ok(moved.changeNow > 0.35 && moved.changeNow < 0.45, `change now ${moved.changeNow}`);
  });

  it('a run whose machine state changed is marked as a whole, its case outcomes set aside', () => {
    const trend = selectTrends({ historyDir }).trends[0];
    const changed = trend.runs.filter((r) => r.machineStateChanged);
    assert.deepEqual(
      changed.map((r) => r.number),
      [MACHINE_STATE_RUN + 1],
    );
    assert.ok(changed[0].machineStateReasons.length > 0, 'with the reason');
    assert.ok(changed[0].setAside > 0, 'the js slowdown is set aside, not marked');
    assert.ok(changed[0].label.endsWith('⚠'));
  });

  it('runs with too few runs before them are not gated; --last keeps older runs as baselines', () => {
    const trend = selectTrends({ historyDir }).trends[0];
    assert.equal(trend.runs[0].comparison, undefined);
    assert.match(trend.runs[0].notCompared ?? '', /first run/);
    assert.equal(trend.runs[1].gated, false);
    const last3 = selectTrends({ historyDir, last: 3 }).trends[0];
    assert.deepEqual(
      last3.runs.map((r) => r.number),
      [6, 7, 8],
    );
    assert.deepEqual(last3.runs[0].comparedWith, [1, 2, 3, 4, 5]);
    assert.equal(last3.moved[0]?.key, REGRESSED);
  });

  it('marksOf: nothing from a machine-state run; "not gated" carried onto the marks', () => {
    const regression = {
      key: 'k',
      runtime: 'node',
      backend: 'js',
      model: 'fff',
      shape: SHAPES[0] as never,
      baselineMedian: 100,
      candidateMedian: 150,
      change: 0.5,
      threshold: 0.05,
      outcome: 'regression' as const,
    };
    // a cast, not a typed literal: the RunComparison type is still gaining fields while compare.ts is reworked
    const comparison = (over: Partial<RunComparison>): RunComparison =>
      ({
        machineId: 'm',
        gated: true,
        machineState: { changed: false, reasons: [] },
        baselineLabel: 'b',
        candidateLabel: 'c',
        baselineRuns: 5,
        options: { threshold: 0.05, alpha: 0.01 },
        cases: [regression, { ...regression, key: 'same', outcome: 'unchanged' }],
        regressions: 1,
        improvements: 0,
        ...over,
      }) as RunComparison;
    assert.deepEqual(marksOf(3, comparison({ machineState: { changed: true, reasons: ['peak GEMM moved'] }, gated: false })), []);
    const notGated = marksOf(1, comparison({ gated: false, notGatedBecause: '1 baseline run' }));
    assert.equal(notGated.length, 1);
    assert.equal(notGated[0].gated, false);
    assert.equal(notGated[0].runIndex, 1);
  });

  it('charts: one per runtime · backend · model, one per moved case, on a run axis', () => {
    const trend = selectTrends({ historyDir }).trends[0];
    const charts = trendCharts(trend);
    assert.equal(charts.groups.length, 4);
    assert.equal(charts.moved.length, 1);
    for (const spec of [...charts.groups, ...charts.moved]) assert.equal(spec.x.categories?.length, RUNS);
    const wasmFff = charts.groups.find((g) => g.title.startsWith('node · wasm · fff'))!;
    // runs #7 and #8: the baseline's centre is the median of its runs, so one slow run in it does not hide the next
    assert.ok(wasmFff.series.some((s) => s.role === 'marker' && s.label === 'regression' && s.points.length === 2));
    assert.ok(wasmFff.series.some((s) => s.role === 'marker' && s.label.startsWith('machine state changed')));
  });
});

describe('trend report files', () => {
  const pngs = () => readdirSync(join(reportDir, 'charts')).filter((f) => f.endsWith('.png'));

  it('summary.md names the moved case, by how much and since which run, date and commit', () => {
    const summary = readFileSync(join(reportDir, 'summary.md'), 'utf8');
    assert.match(
      summary,
      new RegExp(`\\*\\*${REGRESSED_LABEL}\\*\\*: regression, \\+(3[5-9]|4[0-4])(\\.\\d)?% in the latest run, moved since run #7 \\(2026-01-07, c0ffee7\\)`),
    );
    assert.match(
      summary,
      /all 8 runs of this suite on this machine, run #1 \(2026-01-01, c0ffee1\) to run #8 \(2026-01-08, c0ffee8\); each run compared with the up to 5 runs before it/,
    );
    assert.match(summary, /### Machine-state and runtime changes\n\n- ⚠ run #4 \(2026-01-04, c0ffee4\): .+ — its \d+ case outcomes set aside/);
    assert.match(summary, /Not drawn: suite nightly on other-machine-0002/);
  });

  it('the PNGs decode and are not blank', async () => {
    const names = pngs();
    assert.equal(names.length, 5, names.join(', '));
    for (const name of names) await assertPngDrawn(join(reportDir, 'charts', name));
  });

  it('index.html draws every chart in headless Chromium and shows the regression as text', async (t) => {
    await withReportPage(t, join(reportDir, 'index.html'), async (page, problems) => {
      const canvases = await canvasInk(page);
      assert.equal(canvases.length, pngs().length, 'one canvas per PNG');
      assert.equal(await page.getAttribute('body', 'data-charts-drawn'), String(canvases.length));
      for (const c of canvases) assert.ok(c.width > 300 && c.height > 200 && c.inkedShare > 0.005, `${c.label}: blank or tiny canvas`);
      assert.deepEqual(problems, []);
      const moved = (await page.textContent('table.moved')) ?? '';
      assert.ok(moved.includes(REGRESSED_LABEL), moved);
      assert.match(moved, /regression/);
      assert.match(moved, /run #7 \(2026-01-07, c0ffee7\)/);
      assert.match((await page.textContent('body')) ?? '', /⚠ run #4 \(2026-01-04, c0ffee4\)/);
    });
  });
});

describe('trend report errors', () => {
  const clean = (stderr: string) => assert.ok(!/\n\s+at /.test(stderr), `no stack trace:\n${stderr}`);

  it('an unknown machine lists the known ones with their CPU', () => {
    const r = runCli(['report', '--history', historyDir, '--machine', 'nope', '--out', join(reportDir, 'x')]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /no machine nope in the history/);
    assert.match(r.stderr, /trend-machine-0001 \(Test CPU\)/);
    assert.match(r.stderr, /other-machine-0002 \(Other CPU\)/);
    clean(r.stderr);
  });

  it('a missing directory, an unknown suite, a single run and --last 1 are user errors', () => {
    const cases: [string[], RegExp][] = [
      [['--history', join(historyDir, 'does-not-exist')], /does-not-exist does not exist/],
      [['--history', historyDir, '--suite', 'weekly'], /no runs of suite weekly .*the suites there are: .*nightly/],
      [['--history', historyDir, '--machine', 'other-machine'], /a trend needs at least 2 runs of one suite on one machine/],
      [['--history', historyDir, '--last', '1'], /--last must be a whole number of runs, at least 2/],
      [['--machine', MACHINE], /--machine only applies with --history DIR/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(['report', ...args, '--out', join(reportDir, 'bad')]);
      assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
      assert.match(r.stderr, message);
      clean(r.stderr);
    }
    assert.ok(!existsSync(join(reportDir, 'bad')), 'nothing written for a bad request');
  });
});
