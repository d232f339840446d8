import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median, medianCiRanks, normalCdf, quantileSorted, ratioOfMedians, summarize, CONFIDENCE_PERCENT, Z_CONFIDENCE } from '../../src/measure/stats.ts';
import { measureCall, samplePlan, TRIM_ABOVE_SAMPLES, TRIMMED_EACH_END } from '../../src/measure/measure.ts';
import { Rng } from '../../src/model/rng.ts';

describe('median confidence interval', () => {
  it('uses the exact binomial ranks (textbook values)', () => {
    // Conover, Practical Nonparametric Statistics: n=10 → (2, 9); n=20 → (6, 15); n=6 → (1, 6)
    assert.deepEqual(medianCiRanks(10), [2, 9]);
    assert.deepEqual(medianCiRanks(20), [6, 15]);
    assert.deepEqual(medianCiRanks(6), [1, 6]);
  });
  it('covers the true median about 95% of the time', () => {
    const rng = new Rng(9);
    let covered = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      // exponential samples, true median ln 2
      const samples = Array.from({ length: 25 }, () => -Math.log(1 - rng.next()));
      const s = summarize(samples);
      if (s.ciLow <= Math.LN2 && Math.LN2 <= s.ciHigh) covered++;
    }
    const rate = covered / trials;
    assert.ok(rate >= 0.93 && rate <= 0.995, `coverage ${rate}`);
  });
  it('summarizes sorted statistics', () => {
    const s = summarize([5, 1, 4, 2, 3]);
    assert.deepEqual(s.samples, [1, 2, 3, 4, 5]);
    assert.equal(s.median, 3);
    assert.equal(s.min, 1);
    assert.equal(s.max, 5);
    assert.equal(s.mean, 3);
    assert.equal(quantileSorted([0, 10], 0.25), 2.5);
  });
});

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones, and leaves its input as it was', () => {
    const xs = [5, 1, 4, 2];
    assert.equal(median(xs), 3);
    assert.deepEqual(xs, [5, 1, 4, 2]);
    assert.equal(median([3, -1, 2]), 2);
    assert.equal(median(Float64Array.of(10, 1e-3, 7)), 7);
    assert.ok(Number.isNaN(median([])));
    const samples = Array.from({ length: 101 }, (_, k) => (k * 7919) % 101);
    assert.equal(median(samples), summarize(samples).median, "the same as a case's median");
  });
});

describe('speedup interval', () => {
  it('contains the true ratio and is deterministic', () => {
    const rng = new Rng(2);
    const dense = Array.from({ length: 40 }, () => 1000 * (1 + 0.05 * rng.next()));
    const fff = Array.from({ length: 40 }, () => 100 * (1 + 0.05 * rng.next()));
    const a = ratioOfMedians(dense, fff);
    assert.ok(a.ciLow <= 10 && 10 <= a.ciHigh * 1.001, JSON.stringify(a));
    assert.ok(a.ciLow <= a.ratio && a.ratio <= a.ciHigh);
    assert.deepEqual(ratioOfMedians(dense, fff), a);
  });
});

describe('sample plan', () => {
  const settings = { minTimeMs: 100, minSamples: 10, maxSamples: 1000, warmupSamples: 1, maxCaseTimeMs: 1000 };
  it('keeps minSamples for fast calls', () => assert.deepEqual(samplePlan(1e3, settings), { minSamples: 10, maxSamples: 1000 }));
  it('caps a slow call by the case budget, never under 3 samples', () => {
    assert.deepEqual(samplePlan(2e8, settings), { minSamples: 5, maxSamples: 5 });
    assert.deepEqual(samplePlan(5e9, settings), { minSamples: 3, maxSamples: 3 });
  });
});

// The results file's measurement texts are generated from these constants (src/results/build.ts):
// they must be what is applied.
describe('measurement constants', () => {
  it('mitata trims TRIMMED_EACH_END samples at each end only above TRIM_ABOVE_SAMPLES', async () => {
    const taken = async (samples: number) =>
      (await measureCall(() => {}, { minTimeMs: 1, minSamples: samples, maxSamples: samples, warmupSamples: 1, maxCaseTimeMs: 1000 }, 1)).n;
    assert.equal(await taken(TRIM_ABOVE_SAMPLES), TRIM_ABOVE_SAMPLES);
    assert.equal(await taken(TRIM_ABOVE_SAMPLES + 1), TRIM_ABOVE_SAMPLES + 1 - 2 * TRIMMED_EACH_END);
    assert.equal(await taken(20), 20 - 2 * TRIMMED_EACH_END);
  });
  it('the normal quantile used for large samples matches CONFIDENCE_PERCENT', () => {
    assert.ok(Math.abs(normalCdf(Z_CONFIDENCE) - (100 + CONFIDENCE_PERCENT) / 200) < 1e-7);
  });
});
