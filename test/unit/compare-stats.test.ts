/**
 * compare's statistics, in process: Mann–Whitney U, the run-median test against run-to-run noise,
 * machine state and unstable backends, and the confirming re-runs' judgement (net of their
 * context, Holm over all flagged cases). The runs are crafted (test/crafted-results.ts) and
 * shifted by drawn noise; the CLI around them is test/e2e/compare.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baselineFromRuns, caseKey, compareRuns, failsJob } from '../../src/compare/compare.ts';
import { holmConfirm, judgeRerun, judgeRunMedians } from '../../src/compare/noise.ts';
import { compareMarkdown } from '../../reports/compare.ts';
import { mannWhitneyU } from '../../src/measure/stats.ts';
import { Rng } from '../../src/model/rng.ts';
import { buildComparisons } from '../../src/results/comparisons.ts';
import type { ResultsFile } from '../../src/results/schema.ts';
import { craftResults, shiftRun as rerun, timingSamples } from '../crafted-results.ts';
import { ODD_SHAPES } from '../support.ts';

const OPTIONS = { threshold: 0.05, alpha: 0.01 };

describe('significance', () => {
  it('Mann–Whitney U: false-positive rate at or under alpha on one distribution', () => {
    const rng = new Rng(31);
    const trials = 2000;
    let positives = 0;
    for (let t = 0; t < trials; t++) if (mannWhitneyU(timingSamples(rng, 30, 100), timingSamples(rng, 30, 100)).p < 0.01) positives++;
    // alpha 0.01 plus three binomial standard deviations of slack for the finite trial count
    assert.ok(positives / trials <= 0.01 + 3 * Math.sqrt((0.01 * 0.99) / trials), `rate ${positives / trials}`);
  });
  it('Mann–Whitney U detects a 20% shift with 30 samples a side', () => {
    const rng = new Rng(32);
    assert.ok(mannWhitneyU(timingSamples(rng, 30, 100), timingSamples(rng, 30, 120)).p < 1e-6);
  });
});

describe('compare against run-to-run noise', () => {
  // the cases of a tiny run (node · js, the odd shapes, no calibration), as fffbench run writes them
  const run = craftResults(
    ODD_SHAPES.map((shape) => ({ shape, speedup: 2 })),
    { calibrated: false },
  );
  const judged = (c: ReturnType<typeof compareRuns>) => c.cases.filter((x) => x.outcome === 'regression' || x.outcome === 'improvement').length;

  it('the run-median test matches hand-computed values, with a case scale and with a backend scale', () => {
    // log medians 0, 0.02, -0.02, 0: median 0, sd 0.01633; se = sd·√(1 + π/8); t(0.995, 3) = 5.8409
    const medians = [1, Math.exp(0.02), Math.exp(-0.02), 1];
    const j = judgeRunMedians(medians, Math.exp(0.2), { threshold: 0.05, alpha: 0.01 });
    assert.ok(Math.abs(j.noise - 0.0163299) < 1e-6);
    assert.ok(Math.abs(j.threshold - (Math.exp(5.8409 * 0.0163299 * Math.sqrt(1 + Math.PI / 8)) - 1)) < 1e-4, `${j.threshold}`);
    assert.equal(j.outcome, 'regression');
    assert.equal(judgeRunMedians(medians, Math.exp(0.1), { threshold: 0.05, alpha: 0.01 }).outcome, 'unchanged', 'within the band (11.9% here)');
    // a backend scale of 3% from 60 degrees of freedom: t(0.995, 60) = 2.6603; the case's MAD (0.0148) is smaller
    const pooled = judgeRunMedians(medians, Math.exp(0.09), { threshold: 0.05, alpha: 0.01 }, { scale: 0.03, df: 60 });
    assert.equal(pooled.noise, 0.03);
    assert.ok(Math.abs(pooled.threshold - (Math.exp(2.6603 * 0.03 * Math.sqrt(1 + Math.PI / 8)) - 1)) < 1e-4, `${pooled.threshold}`);
    assert.equal(pooled.outcome, 'unchanged');
    assert.equal(
      judgeRunMedians(medians, Math.exp(0.09), { threshold: 0.05, alpha: 0.01, screenAlpha: 0.05 }, { scale: 0.03, df: 60 }).outcome,
      'regression',
      'flagged at the screening level',
    );
  });

  it('A/A with whole-run shifts: samples alone flag many cases; run medians of 4 runs flag at most alpha', () => {
    const rng = new Rng(5);
    let bySamples = 0;
    let samplesCases = 0;
    let byRuns = 0;
    let cases = 0;
    for (let t = 0; t < 300; t++) {
      const history = Array.from({ length: 4 }, () => rerun(run, rng, 0.04));
      const candidate = rerun(run, rng, 0.04);
      // many cases, clear on far fewer trials than the alpha rate below (each a bootstrap per case)
      if (t < 50) {
        const c = compareRuns(baselineFromRuns([history[3]]), candidate, OPTIONS);
        bySamples += judged(c);
        samplesCases += c.cases.length;
      }
      const c = compareRuns(baselineFromRuns(history), candidate, OPTIONS);
      assert.ok(c.gated);
      byRuns += judged(c);
      cases += c.cases.length;
    }
    // 3000 tests: the rate's own standard error is 0.18% at alpha = 1%
    assert.ok(byRuns / cases <= 1.5 * OPTIONS.alpha, `run medians: ${byRuns} of ${cases}`);
    assert.ok(bySamples / samplesCases > 0.1, `samples alone: ${bySamples} of ${samplesCases} (the within-run interval cannot see a run's shift)`);
  });

  it('a 20% slowdown planted in one case is flagged against 4 quiet runs, and only that case', () => {
    const rng = new Rng(6);
    const victim = run.results.find((r) => r.model === 'fff' && r.status === 'ok')!;
    const history = Array.from({ length: 4 }, () => rerun(run, rng, 0.01));
    const c = compareRuns(
      baselineFromRuns(history),
      rerun(run, rng, 0.01, (id) => (id === victim.id ? 1.2 : 1)),
      OPTIONS,
    );
    assert.deepEqual(
      c.cases.filter((x) => x.outcome === 'regression').map((x) => x.key),
      [caseKey(victim)],
    );
    const row = c.cases.find((x) => x.outcome === 'regression')!;
    assert.equal(row.test, 'run-medians');
    assert.ok(row.change! > 0.1 && row.changeCiLow! > 0.05 && row.baselineRuns === 4, JSON.stringify(row));
  });

  it("a case's threshold is its own run-to-run noise: 35% on a case whose runs spread 30% is not a regression", () => {
    const rng = new Rng(8);
    const victim = run.results.find((r) => r.model === 'dense' && r.status === 'ok')!.id;
    const noisy = (k: number) => (id: string) => (id === victim ? [1, 1.3, 0.9, 1.15][k] : 1);
    const baseline = baselineFromRuns([0, 1, 2, 3].map((k) => rerun(run, rng, 0.005, noisy(k))));
    const c = compareRuns(
      baseline,
      rerun(run, rng, 0.005, (id) => (id === victim ? 1.35 : 1)),
      OPTIONS,
    );
    const row = c.cases.find(
      (x) => x.key.includes('/dense/') && run.results.find((r) => r.id === victim)!.shape.depth === x.shape.depth && x.baselineRuns === 4 && x.noise! > 0.1,
    )!;
    assert.ok(row.threshold! > 0.5, JSON.stringify(row));
    assert.equal(row.outcome, 'unchanged');
    assert.equal(c.regressions, 0);
  });

  it('with fewer than 3 baseline runs the comparison is shown but not gated', () => {
    const rng = new Rng(10);
    const c = compareRuns(
      baselineFromRuns([rerun(run, rng, 0.01)]),
      rerun(run, rng, 0.01, () => 1.5),
      OPTIONS,
    );
    assert.equal(c.gated, false);
    assert.match(c.notGatedBecause!, /1 baseline run: .*at least 3 runs/);
    assert.ok(c.regressions > 0, 'the slowdown is still shown');
    assert.equal(failsJob(c), false);
    assert.match(compareMarkdown(c), /Not gated: 1 baseline run/);
  });

  it('a run whose peak GEMM or bandwidth moved beyond its history is "machine state changed", not per-case regressions', () => {
    const rng = new Rng(11);
    const calibrated = (file: ResultsFile, peakFlops: number, readBandwidth = 30e9): ResultsFile => ({
      ...file,
      machine: { ...file.machine, calibration: { node: { readBandwidth, copyBandwidth: 2e10, peakFlops, peakBackend: 'ort-node', gemmFlops: {} } } },
    });
    const history = [300e9, 310e9, 305e9, 298e9].map((peak) => calibrated(rerun(run, rng, 0.01), peak));
    const moved = compareRuns(
      baselineFromRuns(history),
      calibrated(
        rerun(run, rng, 0.01, () => 1.6),
        198e9,
      ),
      OPTIONS,
    );
    assert.equal(moved.machineState.changed, true);
    assert.match(moved.machineState.reasons[0], /node peak GEMM 198\.0 GFLOP\/s against 298\.0–310\.0/);
    assert.equal(moved.gated, false);
    assert.equal(failsJob(moved), false);
    const bandwidth = compareRuns(baselineFromRuns(history), calibrated(rerun(run, rng, 0.01), 303e9, 18e9), OPTIONS);
    assert.match(bandwidth.machineState.reasons.join(), /read bandwidth 18\.0 GB\/s/);
    const steady = compareRuns(
      baselineFromRuns(history),
      calibrated(
        rerun(run, rng, 0.01, () => 1.6),
        304e9,
      ),
      OPTIONS,
    );
    assert.equal(steady.machineState.changed, false);
    assert.ok(failsJob(steady), 'the same slowdown on a steady machine fails the job');
  });

  it('a backend whose calibration GEMM moved (another thread-pool state) is unstable, not a regression', () => {
    const rng = new Rng(9);
    const withSentinel = (file: ResultsFile, flops: number): ResultsFile => ({
      ...file,
      machine: {
        ...file.machine,
        calibration: { node: { readBandwidth: 2e10, copyBandwidth: 2e10, peakFlops: 2e11, peakBackend: 'js', gemmFlops: { js: flops } } },
      },
    });
    const baseline = baselineFromRuns([48e9, 47e9, 47.5e9].map((f) => withSentinel(rerun(run, rng, 0.01), f)));
    const slowState = compareRuns(
      baseline,
      withSentinel(
        rerun(run, rng, 0.01, () => 1.8),
        13e9,
      ),
      OPTIONS,
    );
    assert.equal(slowState.regressions, 0);
    assert.ok(slowState.cases.filter((x) => x.outcome === 'unstable').length > 0);
    assert.match(slowState.cases.find((x) => x.outcome === 'unstable')!.note!, /calibration GEMM ran at 13\.0 GFLOP\/s against 47\.0–48\.0/);
    assert.ok(
      compareRuns(
        baseline,
        withSentinel(
          rerun(run, rng, 0.01, () => 1.8),
          48e9,
        ),
        OPTIONS,
      ).regressions > 0,
    );
  });

  it('a runtime whose version changed is "runtime changed" for that runtime only: its cases shown with both versions, not judged; the other Node line still gated', () => {
    const rng = new Rng(12);
    // a run of the tiny node suite as node, and another as node@22 beside it
    const twoLines = (file: ResultsFile, nodeVersion: string, of22: ResultsFile = rerun(run, rng, 0.01)): ResultsFile => {
      const results = [
        ...file.results.map((r) => ({ ...r, runtime: { name: 'node' as const, version: nodeVersion } })),
        ...of22.results.map((r) => ({ ...r, id: r.id.replace(/^node\//, 'node@22/'), runtime: { name: 'node@22' as const, version: '22.23.2' } })),
      ];
      const calibration = { readBandwidth: 2e10, copyBandwidth: 2e10, peakFlops: 2e11, peakBackend: 'js', gemmFlops: {} };
      return {
        ...file,
        results,
        comparisons: buildComparisons(results),
        machine: { ...file.machine, calibration: { node: { ...calibration }, 'node@22': { ...calibration } } },
      };
    };
    const baseline = baselineFromRuns([0, 1, 2, 3].map(() => twoLines(rerun(run, rng, 0.01), '26.10.0')));
    // the pin moved and node is 60% slower everywhere (its calibration too): not the code's doing
    const moved = twoLines(
      rerun(run, rng, 0.01, () => 1.6),
      '26.12.1',
    );
    moved.machine.calibration!.node.peakFlops = 1.2e11;
    const c = compareRuns(baseline, moved, OPTIONS);
    assert.deepEqual(c.runtimeChanges, [{ runtime: 'node', from: [{ version: '26.10.0', runs: 4 }], to: ['26.12.1'] }]);
    assert.equal(c.machineState.changed, false, "the changed runtime's calibration says nothing of the machine");
    assert.equal(c.gated, true);
    assert.equal(c.regressions, 0);
    const onNode = c.cases.filter((x) => x.runtime === 'node' && x.outcome !== 'not-timed');
    assert.ok(onNode.length > 0 && onNode.every((x) => x.outcome === 'runtime-changed' && x.change! > 0.4), JSON.stringify(onNode));
    assert.match(onNode[0].note!, /runtime changed: node 26\.10\.0 → 26\.12\.1/);
    assert.ok(c.cases.filter((x) => x.runtime === 'node@22').every((x) => x.outcome === 'unchanged'));
    const md = compareMarkdown(c);
    assert.match(md, /Runtime changed: node 26\.10\.0 → 26\.12\.1\. Its cases are listed with their change but not judged/);
    assert.match(md, /⚠️ runtime changed \(not judged\)/);
    // node@22, unchanged in version, is judged as before: its slowdown fails the job
    const slower22 = compareRuns(
      baseline,
      twoLines(
        rerun(run, rng, 0.01),
        '26.12.1',
        rerun(run, rng, 0.01, () => 1.6),
      ),
      OPTIONS,
    );
    assert.ok(slower22.regressions > 0 && failsJob(slower22));
    assert.ok(slower22.cases.filter((x) => x.outcome === 'regression').every((x) => x.runtime === 'node@22'));
    // a baseline that spans the bump names both versions with their runs
    const spanning = baselineFromRuns([twoLines(rerun(run, rng, 0.01), '26.10.0'), twoLines(rerun(run, rng, 0.01), '26.12.1')]);
    assert.match(
      compareMarkdown(compareRuns(spanning, twoLines(rerun(run, rng, 0.01), '26.12.1'), OPTIONS)),
      /node 26\.10\.0 \(1 run\), 26\.12\.1 \(1 run\) → 26\.12\.1/,
    );
    assert.equal(compareRuns(baseline, twoLines(rerun(run, rng, 0.01), '26.10.0'), OPTIONS).runtimeChanges.length, 0);
  });
});

describe("the confirming re-runs are judged net of their backend's other cases, by Holm over all flagged cases", () => {
  const opts = { threshold: 0.05, alpha: 0.01 };
  const log = Math.log;
  const centre = log(100);
  const noise = 0.02;
  const flat = [0.01, -0.01, 0.0, 0.015, -0.005, 0.005];
  const confirmedAlone = (rerun: number[], context: number[]) => holmConfirm([judgeRerun(centre, rerun.map(log), context, noise, 4)], opts)[0].confirmed;

  it("a case 30% slower in all three re-runs, its backend's other cases unmoved: confirmed", () => {
    const j = judgeRerun(centre, [130, 131, 129].map(log), flat, noise, 4);
    assert.ok(Math.abs(j.change - 0.3) < 0.01);
    assert.ok(j.p < 1e-4, String(j.p));
    assert.ok(confirmedAlone([130, 131, 129], flat));
  });

  it("a case 22% slower whose backend's other cases are 20% slower too (a slow state, not the code): not confirmed", () => {
    const slow = flat.map((d) => d + log(1.2));
    const j = judgeRerun(centre, [122, 121, 123].map(log), slow, noise, 4);
    assert.ok(Math.abs(j.contextChange - 0.2) < 0.02);
    assert.ok(j.netChange < 0.03);
    assert.equal(confirmedAlone([122, 121, 123], slow), false);
  });

  it('one slow re-run of three does not confirm: the median is taken', () => {
    assert.equal(confirmedAlone([100, 250, 101], flat), false);
  });

  it('a context that ran faster is not credited: a case no slower than its baseline is not confirmed', () => {
    const fast = flat.map((d) => d + log(0.85));
    assert.equal(confirmedAlone([101, 100, 101], fast), false);
    assert.ok(confirmedAlone([125, 126, 124], fast), 'a 25% slowdown still is');
  });

  it("a context whose cases scatter widely sets the bar, not the case's own small noise", () => {
    const scattered = [-0.2, 0.15, -0.1, 0.2, 0.0, -0.15, 0.1];
    assert.equal(confirmedAlone([125, 126, 124], scattered), false);
    assert.ok(confirmedAlone([125, 126, 124], flat));
  });

  it("a re-run slower by less than the threshold the case was flagged against (its own noise's) is not confirmed, one beyond it is", () => {
    // a tiny case whose runs spread widely: flagged against 82.7%, not the --threshold of 5%
    const j = judgeRerun(centre, [149, 150, 148].map(log), flat, noise, 4);
    assert.ok(holmConfirm([j], opts)[0].confirmed, 'against --threshold alone');
    assert.equal(holmConfirm([j], opts, [0.827])[0].confirmed, false);
    assert.ok(holmConfirm([judgeRerun(centre, [200, 201, 199].map(log), flat, noise, 4)], opts, [0.827])[0].confirmed);
    assert.ok(holmConfirm([j], opts, [undefined])[0].confirmed, 'no threshold of its own: --threshold');
  });

  it('Holm: a change that one flagged case alone would confirm is not confirmed among 50 flagged, a large one is', () => {
    const moderate = judgeRerun(centre, [110, 110, 110].map(log), flat, noise, 4);
    const others = Array.from({ length: 49 }, (_, k) => judgeRerun(centre, [100 + (k % 5), 101, 99].map(log), flat, noise, 4));
    assert.ok(holmConfirm([moderate], opts)[0].confirmed, 'alone');
    assert.equal(holmConfirm([moderate, ...others], opts)[0].confirmed, false, 'among 50');
    const large = judgeRerun(centre, [140, 141, 139].map(log), flat, noise, 4);
    const decisions = holmConfirm([large, moderate, ...others], opts);
    assert.ok(decisions[0].confirmed);
    assert.ok(Math.abs(decisions[0].level! - 0.01 / 51) < 1e-12, 'the smallest p is tested at alpha / k');
  });
});
