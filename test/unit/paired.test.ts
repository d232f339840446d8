/** fffbench ab's judgement on crafted paired data: the signed-rank test, its interval, Holm, the verdicts and their rendering. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failsJob, type PairedRounds, type PairedRun } from '../../src/compare/compare.ts';
import { holm } from '../../src/compare/noise.ts';
import { comparePaired, confirmPaired, judgePairs, smallestPairedP, type PairedCaseInput } from '../../src/compare/paired.ts';
import { baseResult } from '../../src/execute/run-case.ts';
import { BATCH_CALLS, BATCH_THRESHOLD_NS, MIN_ROUND_SAMPLES, ROUND_SAMPLES, roundPlan, roundStatistic } from '../../src/measure/measure.ts';
import { signedRankInterval, wilcoxonSignedRank } from '../../src/measure/stats.ts';
import { caseId, type CaseSpec } from '../../src/model/case.ts';
import { Rng } from '../../src/model/rng.ts';
import type { Result } from '../../src/results/schema.ts';
import { compareMarkdown, compareTable } from '../../reports/compare.ts';
import { interleaveWindows, pairOrder } from '../../runners/ab-workers.ts';
import { plannedBytes } from '../../src/execute/run-case.ts';
import { trainingWidth } from '../../src/model/shape.ts';

function normal(rng: Rng): number {
  const u = Math.max(1e-12, rng.next());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * One case's pairs of round medians as a noisy shared host makes them: a drift common to both
 * rounds of a pair (a random walk that reaches ×2-3 over the case: a neighbour, a frequency change,
 * a backend's pool in a slow state), independent noise per round (`noise`, log-scale sd), a spike
 * (×1.5) in one round of 10% of the pairs, and head `factor` times base.
 */
function crafted(rng: Rng, { pairs = 40, factor = 1, noise = 0.03, median = 1e5 } = {}): PairedRounds {
  const out: PairedRounds = { base: [], head: [], headFirst: pairOrder(pairs, rng.nextUint32()) };
  let drift = 0;
  for (let k = 0; k < pairs; k++) {
    drift += 0.25 * normal(rng);
    const round = (f: number) => median * f * Math.exp(drift + noise * normal(rng)) * (rng.next() < 0.05 ? 1.5 : 1);
    out.base.push(round(1));
    out.head.push(round(factor));
  }
  return out;
}

function spec(k: number, backend = 'js'): CaseSpec {
  const shape = { inputDim: 64, outputDim: 64, depth: k, leafWidth: 8, batchSize: 16, activation: 'relu' as const, trainingWidth: 8 * 2 ** k };
  return { id: caseId('node', backend, 'fff', shape), runtime: 'node', backend, model: 'fff', shape };
}

function result(c: CaseSpec, status: Result['status'] = 'ok', reason?: string): Result {
  return { ...baseResult(c, '20.0.0', { name: c.backend, version: '1', threads: 1 }), status, ...(reason ? { reason } : {}) };
}

const RUN: PairedRun = {
  base: { revision: 'main', commit: 'a'.repeat(40) },
  head: { revision: 'working tree', commit: 'b'.repeat(40), dirty: true },
  rounds: 40,
  warmupPairs: 4,
  roundMs: 10,
  settleMs: 5,
};
const OPTIONS = { threshold: 0.05, alpha: 0.01 };

/** `cases` crafted cases, those in `slower` with head `factor` times base. */
function craftedRun(seed: number, cases: number, slower: Set<number>, factor: number, noise = 0.03): PairedCaseInput[] {
  const rng = new Rng(seed);
  return Array.from({ length: cases }, (_, k) => {
    const c = spec(k, k < cases / 2 ? 'js' : 'wasm');
    return { base: result(c), head: result(c), rounds: crafted(rng, { factor: slower.has(k) ? factor : 1, noise }) };
  });
}

describe('Wilcoxon signed-rank test', () => {
  it("gives the exact p of known data (Hollander & Wolfe's depression scores: V = 40, p = 0.039)", () => {
    const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
    const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
    const r = wilcoxonSignedRank(x.map((v, k) => v - y[k]));
    assert.equal(r.wPlus, 40);
    assert.equal(r.n, 9);
    assert.ok(Math.abs(r.p - 0.0390625) < 1e-12, `p ${r.p}`);
  });

  it('all pairs of one sign give 2 / 2ⁿ; zeros are dropped; the sign does not change p', () => {
    assert.equal(wilcoxonSignedRank([1, 2, 3, 4, 5]).p, 2 / 32);
    assert.equal(wilcoxonSignedRank([1, 2, 3, 4, 5, 6, 0, 0]).p, 2 / 64);
    assert.equal(smallestPairedP(6), 2 / 64);
    const d = [0.3, -0.1, 0.25, 0.4, -0.05, 0.2, 0.15, 0.33, 0.12];
    assert.equal(wilcoxonSignedRank(d).p, wilcoxonSignedRank(d.map((v) => -v)).p);
    assert.equal(wilcoxonSignedRank([]).p, 1);
  });

  it('with ties, the normal approximation lies between the exact p of the ties broken for the positive and for the negative differences', () => {
    const tied = [1, 1, 2, 2, 3, 3, -1, 4, -5, 6, 7, -2, 8, -9, 10, 11, -12, 13, -3, 14];
    const p = wilcoxonSignedRank(tied).p;
    const forPositive = wilcoxonSignedRank(tied.map((v) => v + 1e-9)).p;
    const forNegative = wilcoxonSignedRank(tied.map((v) => v - 1e-9)).p;
    assert.ok(forPositive < p && p < forNegative, `${forPositive} < ${p} < ${forNegative}`);
  });

  it('holds its level: under no change, p ≤ 0.05 in at most 5% of 2000 crafted cases (and not far under)', () => {
    const rng = new Rng(7);
    let rejected = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      const r = crafted(rng);
      if (wilcoxonSignedRank(r.head.map((h, k) => Math.log(h / r.base[k]))).p <= 0.05) rejected++;
    }
    assert.ok(rejected / trials <= 0.05 + 3 * Math.sqrt((0.05 * 0.95) / trials), `rate ${rejected / trials}`);
    assert.ok(rejected / trials >= 0.03, `rate ${rejected / trials}: the test is far more conservative than its level`);
  });

  it('its interval excludes 0 exactly when p ≤ 0.05 (the interval is the test inverted), and covers the centre', () => {
    const rng = new Rng(11);
    for (let t = 0; t < 500; t++) {
      const n = 6 + (t % 25);
      const shift = (rng.next() - 0.5) * 0.8;
      const d = Array.from({ length: n }, () => shift + normal(rng) * 0.5);
      const [lo, hi] = signedRankInterval(d);
      const excludes = lo > 0 || hi < 0;
      assert.equal(excludes, wilcoxonSignedRank(d).p <= 0.05, `n ${n}: [${lo}, ${hi}], p ${wilcoxonSignedRank(d).p}`);
      assert.ok(lo <= hi);
    }
    assert.deepEqual(signedRankInterval([3, 1, 2]), [1, 3], 'under 6 pairs no interval reaches 95%: [min, max]');
  });
});

describe("Holm's procedure", () => {
  it('rejects in order of p until the first p above alpha / (m − rank)', () => {
    assert.deepEqual(holm([0.01, 0.04, 0.03, 0.005], 0.05), [0.05 / 3, undefined, undefined, 0.05 / 4]);
    assert.deepEqual(holm([0.2, 0.3], 0.05), [undefined, undefined]);
    assert.deepEqual(holm([], 0.05), []);
  });
});

describe('ab verdicts on crafted paired data', () => {
  it('A/A: 40 cases whose host drifts ×2-3 within each, no regression and no improvement, over 10 seeds', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const c = comparePaired(craftedRun(seed, 40, new Set(), 1), RUN, 'm', OPTIONS);
      assert.equal(c.regressions + c.improvements, 0, `seed ${seed}`);
      assert.equal(failsJob(c), false);
    }
  });

  it('a 10% slowdown in 10 of 40 cases: at least 9 of 10 flagged and no other, over 10 seeds, though the host drifts ×2-3 within each case', () => {
    const slower = new Set([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    const caught: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const c = comparePaired(craftedRun(seed, 40, slower, 1.1), RUN, 'm', OPTIONS);
      const flagged = c.cases.flatMap((x, k) => (x.outcome === 'regression' ? [k] : []));
      assert.deepEqual(
        flagged.filter((k) => !slower.has(k)),
        [],
        `seed ${seed}: no untouched case flagged`,
      );
      caught.push(flagged.length);
      assert.ok(failsJob(c));
      for (const k of slower) {
        const x = c.cases[k];
        assert.ok(x.change! > 0.07 && x.change! < 0.13, `change ${x.change}`);
        assert.ok(x.changeCiLow! < x.change! && x.change! < x.changeCiHigh!, 'the interval brackets the change');
        assert.equal(x.paired!.rounds, 40);
        assert.ok(x.paired!.spread > 0.01 && x.paired!.spread < 0.1, `spread ${x.paired!.spread}`);
        if (x.outcome === 'regression') assert.ok(x.paired!.level! > 0, 'the Holm level it passed');
      }
    }
    assert.ok(
      caught.every((n) => n >= 9),
      `caught per seed: ${caught.join(', ')}`,
    );
  });

  it('a significant change within --threshold is unchanged; the same beyond a smaller threshold is a regression; faster is an improvement', () => {
    const small = craftedRun(3, 10, new Set([0]), 1.03, 0.005);
    assert.equal(comparePaired(small, RUN, 'm', OPTIONS).cases[0].outcome, 'unchanged');
    assert.ok(comparePaired(small, RUN, 'm', OPTIONS).cases[0].p! < 1e-4, 'it was significant');
    assert.equal(comparePaired(small, RUN, 'm', { ...OPTIONS, threshold: 0.01 }).cases[0].outcome, 'regression');
    const faster = comparePaired(craftedRun(3, 10, new Set([0]), 0.8), RUN, 'm', OPTIONS);
    assert.equal(faster.cases[0].outcome, 'improvement');
    assert.equal(faster.improvements, 1);
    assert.equal(failsJob(faster), false);
  });

  it('the change is the median of the per-pair ratios', () => {
    const j = judgePairs({ base: [100, 100, 100, 100, 100], head: [101, 150, 102, 99, 103], headFirst: [true, false, true, false, true] });
    assert.ok(Math.abs(j.ratio - 1.02) < 1e-12);
    assert.equal(j.rounds, 5);
  });

  it('cases one side could not time: head wrong where base passed fails the job; missing on one side is listed', () => {
    const [a, b, c, d] = [0, 1, 2, 3].map((k) => spec(k));
    const cases: PairedCaseInput[] = [
      { base: result(a), head: result(a, 'invalid', 'output differs from the float64 reference') },
      { base: result(b, 'skipped', 'backend js unavailable'), head: result(b) },
      { base: result(c), head: result(c, 'skipped', 'needs about 9 GiB') },
      { base: result(d, 'failed', 'threw'), head: result(d, 'failed', 'threw') },
    ];
    const cmp = comparePaired(cases, RUN, 'm', OPTIONS);
    assert.deepEqual(
      cmp.cases.map((x) => x.outcome),
      ['failed-in-candidate', 'only-in-candidate', 'only-in-baseline', 'not-timed'],
    );
    assert.match(cmp.cases[0].note!, /head invalid: output differs/);
    assert.equal(cmp.regressions, 0);
    assert.ok(failsJob(cmp), 'a head that fails the reference check fails the job');
    assert.equal(failsJob(comparePaired(cases.slice(1), RUN, 'm', OPTIONS)), false);
  });
});

describe('confirmation on a fresh pair', () => {
  it('a flagged case counts only where the fresh pair repeats its outcome; one the fresh pair could not time is not confirmed', () => {
    const rng = new Rng(11);
    // cases 0-2 flagged: 0 a regression, 1 a regression of the first pair's processes only, 2 an improvement
    const first = craftedRun(3, 10, new Set(), 1, 0.01);
    first[0].rounds = crafted(rng, { factor: 1.2, noise: 0.01 });
    first[1].rounds = crafted(rng, { factor: 1.3, noise: 0.01 });
    first[2].rounds = crafted(rng, { factor: 0.8, noise: 0.01 });
    const cmp = comparePaired(first, RUN, 'm', OPTIONS);
    assert.deepEqual(
      cmp.cases.slice(0, 4).map((x) => x.outcome),
      ['regression', 'regression', 'improvement', 'unchanged'],
    );
    const again: PairedCaseInput[] = [0, 1, 2].map((k) => ({
      base: first[k].base,
      head: first[k].head,
      rounds: crafted(rng, { factor: [1.2, 1, 0.8][k], noise: 0.01 }),
    }));
    confirmPaired(cmp, again, OPTIONS);
    assert.deepEqual(
      cmp.cases.slice(0, 3).map((x) => x.confirmation?.confirmed),
      [true, false, true],
    );
    assert.equal(cmp.cases[1].confirmation!.outcome, 'unchanged');
    assert.equal(cmp.regressions, 1);
    assert.equal(cmp.improvements, 1);
    assert.deepEqual(cmp.confirmation, { rerun: 3, confirmed: 2 });
    assert.ok(failsJob(cmp));
    const table = compareTable(cmp);
    assert.match(table, /1 regression, 1 improvement \(3 flagged, 3 timed again on a fresh pair, 2 confirmed\)/);
    assert.match(table, /🔴 regression \(confirmed: a fresh pair \+\d+\.\d%\)/);
    assert.match(table, /not confirmed \(a fresh pair [+-]\d\.\d%\)/);
    assert.match(table, /🟢 improvement \(confirmed: a fresh pair -\d+\.\d%\)/);

    const cmp2 = comparePaired(first, RUN, 'm', OPTIONS);
    const lost = result(spec(0), 'failed', 'head worker: worker killed by SIGKILL');
    confirmPaired(cmp2, [{ base: first[0].base, head: lost }, again[1], again[2]], OPTIONS);
    assert.equal(cmp2.cases[0].confirmation!.confirmed, false);
    assert.match(cmp2.cases[0].confirmation!.note!, /the fresh pair could not time it: head worker: worker killed/);
    assert.equal(cmp2.regressions, 0);
    assert.equal(failsJob(cmp2), false);
    assert.throws(() => confirmPaired(comparePaired(first, RUN, 'm', OPTIONS), [again[0]], OPTIONS), /3 flagged cases, 1 re-run/);
  });
});

describe('rounds', () => {
  it('each pair runs head first in half the pairs, shuffled, the same for a seed', () => {
    const order = pairOrder(20, 5);
    assert.equal(order.filter(Boolean).length, 10);
    assert.deepEqual(pairOrder(20, 5), order);
    assert.notDeepEqual(pairOrder(20, 6), order);
    const odd = pairOrder(7, 1).filter(Boolean).length;
    assert.ok(odd === 3 || odd === 4);
  });

  it('cases interleave in windows of at most --interleave, in suite order, while their doubled memory plans fit the budget together', () => {
    const shape = (depth: number, batchSize: number) => {
      const s = { inputDim: 768, outputDim: 768, depth, leafWidth: 32, batchSize, activation: 'relu' as const };
      return { ...s, trainingWidth: trainingWidth(s) };
    };
    const spec = (depth: number, batchSize = 16): CaseSpec => ({
      id: caseId('node', 'js', 'dense', shape(depth, batchSize)),
      runtime: 'node',
      backend: 'js',
      model: 'dense',
      shape: shape(depth, batchSize),
    });
    const small = [1, 2, 3, 4, 5].map((d) => spec(d));
    const ids = (windows: CaseSpec[][]) => windows.map((w) => w.map((c) => c.shape.depth));
    assert.deepEqual(ids(interleaveWindows(small, 2 ** 40, 2)), [[1, 2], [3, 4], [5]]);
    assert.deepEqual(ids(interleaveWindows(small, 2 ** 40, 1)), [[1], [2], [3], [4], [5]]);
    // a budget that holds two doubled plans of d = 1-2 but not a third case: the windows close early
    const budget = 2 * (plannedBytes(small[0]).total + plannedBytes(small[1]).total);
    assert.deepEqual(ids(interleaveWindows(small.slice(0, 3), budget, 4)), [[1, 2], [3]]);
    // a case larger than the budget still runs, alone (the worker then decides whether it fits)
    const huge = spec(14, 4096);
    assert.deepEqual(ids(interleaveWindows([small[0], huge, small[1]], budget, 4)), [[1], [14], [2]]);
  });

  it('a round plan cuts a round into ROUND_SAMPLES short samples (1 to BATCH_CALLS calls), takes at least MIN_ROUND_SAMPLES where the budget allows, and fewer (down to one) where not', () => {
    const tiny = roundPlan(100, 10e6, 20, 2e9);
    assert.equal(tiny.callsPerSample, BATCH_CALLS, 'a 100 ns call: 128 calls (13 µs) a sample, the most');
    assert.equal(tiny.samples, Math.ceil(10e6 / (100 * BATCH_CALLS)));
    const short = roundPlan(10_000, 10e6, 20, 2e9);
    assert.equal(short.callsPerSample, 10e6 / ROUND_SAMPLES / 10_000);
    assert.equal(short.samples, ROUND_SAMPLES);
    const long = roundPlan(2 * BATCH_THRESHOLD_NS, 10e6, 20, 2e9);
    assert.equal(long.callsPerSample, 3);
    assert.equal(roundPlan(1e6, 10e6, 20, 2e9).callsPerSample, 1);
    assert.equal(roundPlan(1e6, 10e6, 20, 2e9).samples, 10);
    assert.equal(roundPlan(5e6, 10e6, 20, 2e9).samples, MIN_ROUND_SAMPLES);
    assert.equal(roundPlan(50e6, 10e6, 20, 2e9).samples, 2, '20 rounds × 3 samples × 50 ms would be 3 s, over the 2 s budget');
    assert.equal(roundPlan(1e9, 10e6, 20, 2e9).samples, 1);
  });

  it("a round reads its samples' lower quartile: a neighbour's slices on seven samples in ten do not move it, a change to most calls does", () => {
    const clean = Array.from({ length: 20 }, (_, k) => 100 + (k % 5));
    const hit = clean.map((x, k) => (k % 10 < 3 ? x : 2 * x));
    assert.ok(Math.abs(roundStatistic(hit) / roundStatistic(clean) - 1) < 0.03, `${roundStatistic(hit)} against ${roundStatistic(clean)}`);
    const slower = clean.map((x) => 1.1 * x);
    assert.ok(Math.abs(roundStatistic(slower) / roundStatistic(clean) - 1.1) < 1e-9);
    assert.equal(roundStatistic([7]), 7);
  });
});

describe('rendering', () => {
  const slower = new Set([1]);
  const cmp = comparePaired(craftedRun(2, 4, slower, 1.3), RUN, 'machine-1', OPTIONS);

  it("Markdown in compare's shape: the headline, base and head, the rounds and spread, the method", () => {
    const md = compareMarkdown(cmp);
    assert.match(
      md,
      /^### fffbench ab: 🔴 1 regression, 0 improvements, 3 unchanged \(threshold 5\.0%, alpha 0\.01 by Holm over 4 cases; 40 pairs of rounds of about 10 ms per case, interleaved; machine machine-1\)/,
    );
    assert.match(md, /base: main \(aaaaaaaa\)/);
    assert.match(md, /head: working tree \(bbbbbbbb\+dirty\)/);
    assert.match(md, /\| case \| shape \| base \| head \| change \[95% CI\] \| p \| rounds · spread \| outcome \|/);
    assert.match(md, /\| 40 · ±\d+\.\d% \| 🔴 regression \|/);
    assert.match(md, /Wilcoxon signed-rank/);
  });

  it('the table lists every case; JSON keeps every round', () => {
    const table = compareTable(cmp);
    assert.equal(table.split('\n').filter((l) => l.startsWith('node · ')).length, 4);
    const json = JSON.parse(JSON.stringify({ comparisons: [cmp], notes: [] }));
    assert.equal(json.comparisons[0].cases[1].test, 'paired-rounds');
    assert.equal(json.comparisons[0].cases[1].paired.base.length, 40);
    assert.equal(json.comparisons[0].paired.rounds, 40);
  });
});
