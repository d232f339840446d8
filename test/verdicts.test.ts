/** Claim verdicts follow the numbers, and never read from a configuration that was not measured. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  configurationDistance,
  judgeClaim,
  judgeClaims,
  loadClaims,
  matchesClaim,
  measuredComparisons,
  type Claim,
} from '../reports/verdicts.ts';
import { craftMachine, craftResults, FIG3, TABLE1 } from './crafted-results.ts';

const claims = loadClaims();
const claim = (id: string): Claim => {
  const c = claims.claims.find((x) => x.id === id);
  assert.ok(c, `claims.json has no claim ${id}`);
  return c;
};
const UP_TO_220 = claim('fff-up-to-220x');
const TABLE1_393 = claim('fff-table1-mnist-3.93x');
const UFB_78 = claim('ultrafastbert-78x-cpu');

test('claims.json cites the papers and states the closest-configuration rule', () => {
  assert.equal(UP_TO_220.claimedSpeedup, 220);
  assert.equal(UP_TO_220.source.arxiv, '2308.14711');
  assert.deepEqual(UP_TO_220.match, { inputDim: 768, outputDim: 768, leafWidth: 32, batchSize: 256, depth: { from: 1, to: 15 } });
  assert.equal(TABLE1_393.claimedSpeedup, 3.93);
  assert.deepEqual(TABLE1_393.match, { inputDim: 784, outputDim: 10, leafWidth: 1, batchSize: 2048, depth: { from: 7, to: 7 } });
  assert.equal(UFB_78.source.arxiv, '2311.10770');
  assert.equal(UFB_78.match.batchSize, 16384);
  assert.match(claims.closestConfigurationRule, /matches the claim's setup exactly/);
});

test('an interval whose upper end just reaches the claim is reproduced', () => {
  const exact = judgeClaim(UP_TO_220, [craftResults([{ shape: FIG3(12), speedup: 200, ciLow: 180, ciHigh: 220 }])]);
  assert.equal(exact.status, 'reproduced');
  assert.equal(exact.best?.ciHigh, 220);
  assert.equal(exact.best?.shape.depth, 12);
  assert.ok(Math.abs(exact.best!.theoretical - 3449) < 1, `bound at d=12 is 3,449x (got ${exact.best!.theoretical})`);
  const table1 = judgeClaim(TABLE1_393, [craftResults([{ shape: TABLE1, speedup: 3.5, ciLow: 3.1, ciHigh: 3.93 }])]);
  assert.equal(table1.status, 'reproduced');
});

test('an interval that just misses the claim is not reproduced, with the gap', () => {
  const v = judgeClaim(UP_TO_220, [craftResults([{ shape: FIG3(12), speedup: 200, ciLow: 180, ciHigh: 219.9 }])]);
  assert.equal(v.status, 'not-reproduced');
  assert.ok(v.gap !== undefined && Math.abs(v.gap - 220 / 219.9) < 1e-12);
  assert.match(v.summary, /short of the claimed 220x/);
  const table1 = judgeClaim(TABLE1_393, [craftResults([{ shape: TABLE1, speedup: 3.5, ciLow: 3.1, ciHigh: 3.92 }])]);
  assert.equal(table1.status, 'not-reproduced');
});

test('the verdict reads the comparison that reaches the claim, even when another has a higher median', () => {
  const v = judgeClaim(UP_TO_220, [
    craftResults([
      { shape: FIG3(10), speedup: 215, ciLow: 214, ciHigh: 216, runtime: 'node' },
      { shape: FIG3(11), speedup: 205, ciLow: 190, ciHigh: 225, runtime: 'node' },
      { shape: FIG3(11), speedup: 50, ciLow: 49, ciHigh: 51, runtime: 'deno' },
    ]),
  ]);
  assert.equal(v.status, 'reproduced');
  assert.equal(v.best?.shape.depth, 11);
  assert.equal(v.matchingCount, 3);
  assert.deepEqual(v.perTarget.map((p) => [p.runtime, p.reaches]).sort(), [['deno', false], ['node', true]]);
});

test('a configuration outside the claim never decides it, however fast', () => {
  const offBatch = craftResults([
    { shape: { ...FIG3(12), batchSize: 128 }, speedup: 5000, ciLow: 4900, ciHigh: 5100 },
    { shape: FIG3(16), speedup: 9000 },
    { shape: { ...FIG3(12), leafWidth: 16 }, speedup: 9000 },
  ]);
  const v = judgeClaim(UP_TO_220, [offBatch]);
  assert.equal(v.status, 'not-measured');
  assert.equal(v.best, undefined);
  assert.equal(v.matchingCount, 0);
  assert.match(v.summary, /paper-fig3/);
  assert.ok(v.closest, 'the nearest measured configuration is shown for orientation');
  assert.ok(v.closest!.differences.length > 0);
});

test('a comparison whose FFF result failed is not a measurement', () => {
  const file = craftResults([{ shape: FIG3(12), speedup: 300, ciLow: 290, ciHigh: 310, fffStatus: 'failed' }]);
  assert.equal(measuredComparisons([file]).length, 0);
  const v = judgeClaim(UP_TO_220, [file]);
  assert.equal(v.status, 'not-measured');
  assert.equal(v.notMeasuredCases.length, 1);
  assert.match(v.notMeasuredCases[0].reason, /crafted failed case/);
});

test('with nothing measured at all, every claim is not measured and names what to run', () => {
  const verdicts = judgeClaims([craftResults([])], claims);
  assert.deepEqual(verdicts.map((v) => v.status), ['not-measured', 'not-measured', 'not-measured']);
  assert.match(verdicts[0].summary, /fffbench run paper-fig3/);
  assert.match(verdicts[1].summary, /fffbench run paper-table1/);
  assert.match(verdicts[2].summary, /fffbench run ultrafastbert/);
  assert.equal(verdicts[0].closest, undefined);
});

test('matches combine machines; the rule is exact on shape and a range on depth', () => {
  const a = craftResults([{ shape: FIG3(3), speedup: 5 }], { machine: craftMachine('m-a') });
  const b = craftResults([{ shape: FIG3(14), speedup: 240, ciLow: 230, ciHigh: 250 }], { machine: craftMachine('m-b') });
  const v = judgeClaim(UP_TO_220, [a, b]);
  assert.equal(v.status, 'reproduced');
  assert.equal(v.best?.machineId, 'm-b');
  assert.equal(v.perTarget.length, 2);
  assert.ok(matchesClaim(UP_TO_220, { ...FIG3(1), trainingWidth: 64, activation: 'gelu' }));
  assert.ok(!matchesClaim(UP_TO_220, { ...FIG3(0), trainingWidth: 32, activation: 'relu' }));
  assert.equal(configurationDistance(UP_TO_220, { ...FIG3(5), trainingWidth: 1024, activation: 'relu' }), 0);
  assert.equal(configurationDistance(UP_TO_220, { ...FIG3(17), batchSize: 512, trainingWidth: 2 ** 22, activation: 'relu' }), 3);
});

test('the cost-model bound at the claim setups matches the paper facts', () => {
  const v = judgeClaim(UP_TO_220, [craftResults([])]);
  assert.equal(Math.round(v.boundAtClaim.at(-1)!.theoretical), 26546);
  const t = judgeClaim(TABLE1_393, [craftResults([])]);
  assert.equal(Math.round(t.boundAtClaim[0].theoretical * 10) / 10, 16.2);
});

test('the verdict reads the fastest FFF against the fastest dense, not a backend with a slow dense kernel', () => {
  const file = craftResults([
    { shape: FIG3(12), speedup: 300, backend: 'slowdense' },
    { shape: FIG3(12), speedup: 2, backend: 'fastdense' },
  ]);
  // fastdense's dense layer runs 10x faster than slowdense's: the fair speedup is 300 / 10 = 30x
  const dense = file.results.find((r) => r.backend.name === 'fastdense' && r.model === 'dense')!;
  const scale = (x: number) => x / 10;
  dense.stats = { ...dense.stats!, samples: dense.stats!.samples.map(scale), min: scale(dense.stats!.min), p25: scale(dense.stats!.p25), median: scale(dense.stats!.median), p75: scale(dense.stats!.p75), p99: scale(dense.stats!.p99), max: scale(dense.stats!.max), mean: scale(dense.stats!.mean), ciLow: scale(dense.stats!.ciLow), ciHigh: scale(dense.stats!.ciHigh) };
  const v = judgeClaim(UP_TO_220, [file]);
  assert.equal(v.status, 'not-reproduced');
  assert.equal(v.best!.backend, 'slowdense vs fastdense');
  assert.ok(Math.abs(v.best!.speedup - 30) < 1, `${v.best!.speedup}`);
  assert.ok(v.perTarget.some((p) => p.backend === 'slowdense' && p.reaches), 'the per-backend 300x is still listed');
});
