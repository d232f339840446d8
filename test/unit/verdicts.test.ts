/** Claim verdicts follow the numbers, and never read from a configuration that was not measured. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configurationDistance, loadClaims, matchesClaim, type Claim } from '../../src/claims/claims.ts';
import { measuredComparisons } from '../../src/claims/measured.ts';
import { limitCell, verdictSentence } from '../../reports/claims/phrases.ts';
import { judgeClaim, judgeClaims } from '../../src/claims/verdicts.ts';
import { craftMachine, craftResults, FIG3, TABLE1, UFB78 } from '../crafted-results.ts';

const claims = loadClaims();
const claim = (id: string): Claim => {
  const c = claims.claims.find((x) => x.id === id);
  assert.ok(c, `paper-claims.json has no claim ${id}`);
  return c;
};
const UP_TO_220 = claim('fff-up-to-220x');
const TABLE1_393 = claim('fff-table1-mnist-3.93x');
const UFB_78 = claim('ultrafastbert-78x-cpu');

test('paper-claims.json cites the papers and states the closest-configuration rule', () => {
  assert.equal(UP_TO_220.claimedSpeedup, 220);
  assert.equal(UP_TO_220.source.arxiv, '2308.14711');
  assert.deepEqual(UP_TO_220.match, { inputDim: 768, outputDim: 768, leafWidth: 32, batchSize: 256, depth: { from: 1, to: 15 } });
  assert.equal(TABLE1_393.claimedSpeedup, 3.93);
  assert.deepEqual(TABLE1_393.match, { inputDim: 784, outputDim: 10, leafWidth: 1, batchSize: 2048, depth: { from: 7, to: 7 } });
  assert.equal(UFB_78.source.arxiv, '2311.10770');
  assert.deepEqual(UFB_78.match, {
    inputDim: 768,
    outputDim: 768,
    leafWidth: 1,
    batchSize: 16384,
    depth: { from: 11, to: 11 },
    activation: 'gelu',
    model: 'ufb',
  });
  assert.match(UFB_78.caveat!, /CPU benchmark .* bugs that flatter the FFF/);
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
  assert.deepEqual(v.perTarget.map((p) => [p.runtime, p.reaches]).sort(), [
    ['deno', false],
    ['node', true],
  ]);
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
  assert.match(v.summary, /fffbench run claims/);
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
  assert.deepEqual(
    verdicts.map((v) => v.status),
    ['not-measured', 'not-measured', 'not-measured'],
  );
  // The default suite (npm run bench) measures every claim's configuration.
  for (const v of verdicts) assert.match(v.summary, /fffbench run claims/);
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
  dense.stats = {
    ...dense.stats!,
    samples: dense.stats!.samples.map(scale),
    min: scale(dense.stats!.min),
    p25: scale(dense.stats!.p25),
    median: scale(dense.stats!.median),
    p75: scale(dense.stats!.p75),
    p99: scale(dense.stats!.p99),
    max: scale(dense.stats!.max),
    mean: scale(dense.stats!.mean),
    ciLow: scale(dense.stats!.ciLow),
    ciHigh: scale(dense.stats!.ciHigh),
  };
  const v = judgeClaim(UP_TO_220, [file]);
  assert.equal(v.status, 'not-reproduced');
  assert.equal(v.best!.backend, 'slowdense vs fastdense');
  assert.ok(Math.abs(v.best!.speedup - 30) < 1, `${v.best!.speedup}`);
  assert.ok(
    v.perTarget.some((p) => p.backend === 'slowdense' && p.reaches),
    'the per-backend 300x is still listed',
  );
});

test('a dense baseline at 10% of the calibrated peak is not judged, and the card names the backends to add', () => {
  const weak = craftResults([{ shape: FIG3(12), speedup: 1983, ciLow: 1976, ciHigh: 2022, backend: 'js', denseMultiple: 10 }]);
  const v = judgeClaim(UP_TO_220, [weak]);
  assert.equal(v.status, 'not-judged');
  assert.equal(v.best, undefined, 'nothing was judged');
  assert.equal(v.judgedCount, 0);
  assert.match(v.summary, /ran at 10% of this machine's best dense GEMM throughput/);
  assert.deepEqual(v.unjudged?.addBackends, ['ort-node', 'ort-wasm-mt'], 'the calibrated GEMMs at ≥ 50% of the peak, fastest first');
  assert.match(v.summary, /--backends js,ort-node,ort-wasm-mt/);
  // At exactly half the peak (2x the floor) the baseline is near enough; just below it is not.
  assert.equal(judgeClaim(UP_TO_220, [craftResults([{ shape: FIG3(12), speedup: 300, denseMultiple: 2 }])]).status, 'reproduced');
  assert.equal(judgeClaim(UP_TO_220, [craftResults([{ shape: FIG3(12), speedup: 300, denseMultiple: 2.01 }])]).status, 'not-judged');
});

test('the verdict reads a judged comparison even when an unjudged one is faster', () => {
  const v = judgeClaim(UP_TO_220, [
    craftResults([
      { shape: FIG3(12), speedup: 1983, backend: 'js', denseMultiple: 80 },
      { shape: FIG3(12), speedup: 150, ciLow: 140, ciHigh: 160, backend: 'wasm', denseBackend: 'ort-node', runtime: 'deno' },
    ]),
  ]);
  assert.equal(v.status, 'not-reproduced');
  assert.equal(v.best?.speedup, 150);
  assert.equal(v.best?.fff.backend, 'wasm');
  assert.equal(v.best?.dense.backend, 'ort-node');
  assert.match(v.summary, /FFF on wasm \(1 thread\) against dense on ort-node \(2 threads\)/);
});

test('a run without calibration cannot show its dense baseline is near the best: not judged', () => {
  const file = craftResults([{ shape: FIG3(12), speedup: 300 }]);
  for (const r of file.results) delete r.roofline;
  const v = judgeClaim(UP_TO_220, [file]);
  assert.equal(v.status, 'not-judged');
  assert.match(v.summary, /did not calibrate/);
});

test('no speed verdict from a software GPU adapter', () => {
  const v = judgeClaim(UP_TO_220, [
    craftResults([{ shape: FIG3(12), speedup: 300, backend: 'webgpu', adapter: 'llvmpipe (LLVM 19, 256 bits), software adapter' }]),
  ]);
  assert.equal(v.status, 'not-judged');
  assert.match(v.summary, /software GPU adapter/);
});

test('no speed verdict from an adapter that does not identify itself (fail closed), with the reason on the card; the same numbers on a named GPU are judged', () => {
  const at = (adapter: string, adapterClass?: 'hardware' | 'unidentified') =>
    judgeClaim(UP_TO_220, [craftResults([{ shape: FIG3(12), speedup: 300, backend: 'webgpu', adapter, ...(adapterClass ? { adapterClass } : {}) }])]);
  const unidentified = at('65541 0 [unidentified adapter: no vendor, architecture, device or description names it]', 'unidentified');
  assert.equal(unidentified.status, 'not-judged');
  assert.match(unidentified.summary, /webgpu ran on an unidentified GPU adapter \(65541 0 \[unidentified adapter.*nothing shows it is a GPU/);
  assert.match(unidentified.unjudged?.notJudgedBecause ?? '', /unidentified GPU adapter/, 'the card shows why');
  // a file from before adapterClass: the label older runs gave an adapter that named nothing
  assert.equal(at('unnamed adapter').status, 'not-judged');
  assert.equal(at('4318 8891').status, 'not-judged', 'bare ids name nothing');
  assert.equal(at('nvidia hopper NVIDIA H200', 'hardware').status, 'reproduced');
  assert.equal(at('nvidia hopper NVIDIA H200').status, 'reproduced', 'a named adapter in an older file is a GPU');
});

test('where the claim is reached: the shallowest depth whose interval reaches it', () => {
  const file = craftResults(
    [10, 11, 12, 13, 14].map((depth) => ({
      shape: FIG3(depth),
      speedup: 30 * 2 ** (depth - 10),
      ciLow: 28 * 2 ** (depth - 10),
      ciHigh: 32 * 2 ** (depth - 10),
    })),
  );
  // speedups 30, 60, 120, 240, 480: the interval first reaches 220 at depth 13 (upper end 256)
  const v = judgeClaim(UP_TO_220, [file]);
  assert.equal(v.status, 'reproduced');
  assert.equal(v.reach?.reachedAt?.shape.depth, 13);
  assert.equal(v.reach?.extrapolation, undefined);
  assert.match(v.reach!.text, /from depth 13 \(training width 262,144\)/);
  // The interval of depth 12 reaching the claim by its upper end alone counts.
  const edge = craftResults([
    { shape: FIG3(12), speedup: 200, ciLow: 190, ciHigh: 221 },
    { shape: FIG3(13), speedup: 400 },
  ]);
  assert.equal(judgeClaim(UP_TO_220, [edge]).reach?.reachedAt?.shape.depth, 12);
});

test('where nothing reaches the claim: the largest speedup and a labelled extrapolation of the deep-end trend', () => {
  // ×2 per level: 25, 50, 100 at depths 10-12 -> 220 first at depth 14 (200 at 13, 400 at 14)
  const file = craftResults([9, 10, 11, 12].map((depth) => ({ shape: FIG3(depth), speedup: 100 * 2 ** (depth - 12) })));
  const v = judgeClaim(UP_TO_220, [file]);
  assert.equal(v.status, 'not-reproduced');
  assert.equal(v.reach?.reachedAt, undefined);
  assert.equal(v.reach?.largest?.shape.depth, 12);
  assert.deepEqual(v.reach?.extrapolation?.fitDepths, [10, 11, 12]);
  assert.equal(v.reach?.extrapolation?.depth, 14);
  assert.ok(Math.abs(v.reach!.extrapolation!.factorPerLevel - 2) < 1e-9);
  assert.equal(v.reach?.extrapolation?.beyondClaimRange, false);
  assert.match(v.reach!.text, /Extrapolation, not a measurement/);
  // A flat trend predicts nothing; a single-depth claim has no trend to follow.
  const flat = judgeClaim(UP_TO_220, [craftResults([10, 11, 12].map((depth) => ({ shape: FIG3(depth), speedup: 100 })))]);
  assert.equal(flat.reach?.extrapolation, undefined);
  assert.match(flat.reach!.noExtrapolation!, /does not grow/);
  const table1 = judgeClaim(TABLE1_393, [craftResults([{ shape: TABLE1, speedup: 2 }])]);
  assert.match(table1.reach!.noExtrapolation!, /single depth/);
});

test("each verdict states the claim's hardware beside this machine's", () => {
  const v = judgeClaim(UP_TO_220, [craftResults([{ shape: FIG3(12), speedup: 150 }])]);
  assert.match(v.hardware.claim, /A100/);
  assert.match(v.hardware.here, /Test CPU, 4 cores/);
  assert.match(v.hardware.here, /no GPU used/);
  assert.match(judgeClaim(UFB_78, [craftResults([])]).hardware.claim, /Intel CPU with MKL/);
});

test("the 78x claim reads UltraFastBERT's tree against its 4095-wide dense layer, never the original FFF at leaf width 1", () => {
  const fffStandIn = { ...UFB78(), tree: undefined };
  // The original FFF at depth 11, ℓ = 1, batch 16384 (the old stand-in) does not count for it ...
  const standIn = judgeClaim(UFB_78, [craftResults([{ shape: fffStandIn, speedup: 90 }])]);
  assert.equal(standIn.status, 'not-measured');
  assert.deepEqual(standIn.closest?.differences, ['model fff (claim ufb)']);
  // ... its own model does, with the cost model's 341.25x bound at depth 11.
  const v = judgeClaim(UFB_78, [
    craftResults([
      { shape: fffStandIn, speedup: 90 },
      { shape: UFB78(), speedup: 60, ciLow: 55, ciHigh: 65, backend: 'wasm-mt', denseBackend: 'ort-node' },
    ]),
  ]);
  assert.equal(v.status, 'not-reproduced');
  assert.equal(v.best?.shape.tree, 'ufb');
  assert.equal(v.best?.theoretical, 341.25);
  assert.deepEqual(v.boundAtClaim, [{ depth: 11, theoretical: 341.25 }]);
  assert.match(v.summary, /UltraFastBERT FFF on wasm-mt \(1 thread\) against dense on ort-node \(2 threads\)/);
  assert.match(v.summary, /stops 1\.20x short of the claimed 78\.0x/);
});

test('a claim measured at several batch sizes says where the speedup is largest, among judged comparisons', () => {
  const files = [
    craftResults([
      { shape: UFB78(1), speedup: 4, denseMultiple: 5 }, // a dense baseline far from the machine's best: not judged
      { shape: UFB78(256), speedup: 70 },
      { shape: UFB78(4096), speedup: 95, ciLow: 90, ciHigh: 99 },
      { shape: UFB78(16384), speedup: 80 },
      { shape: { ...UFB78(16384), depth: 10 }, speedup: 300 }, // another depth: not the claim's curve
    ]),
  ];
  const v = judgeClaim(UFB_78, files);
  assert.equal(v.status, 'reproduced');
  assert.equal(v.best?.shape.batchSize, 16384, "the verdict reads the claim's own batch size");
  assert.deepEqual(
    v.batches?.points.map((p) => p.shape.batchSize),
    [1, 256, 4096, 16384],
  );
  assert.equal(v.batches?.largest.shape.batchSize, 4096);
  assert.match(
    v.batches!.text,
    /largest at batch 4096: 95\.0x \[90\.0x, 99\.0x\]\. By batch: 1 → 4\.00x, 256 → 70\.0x, 4096 → 95\.0x, 16384 → 80\.0x\. Not judged at batch 1: the dense baseline/,
  );
  // One batch size measured: no batch line.
  assert.equal(judgeClaim(UFB_78, [craftResults([{ shape: UFB78(), speedup: 80 }])]).batches, undefined);
});

// What limits a claim that is not reproduced. The crafted floors make the speedup the floors allow
// (dense floor / tree floor) speedup × fffMultiple / denseMultiple.
const TREE_ON_WASM_MT = { backend: 'wasm-mt', denseBackend: 'ort-node' } as const;

test('paper-claims.json states the tree-side rule beside the baseline rule, and the limit rule in words', () => {
  assert.equal(claims.treeRule.maxFffFloorMultiple, 2);
  assert.match(claims.limitRule, /hardware-limited/);
  assert.match(claims.limitRule, /kernel-limited/);
  assert.match(claims.limitRule, /both kernels within their rules/);
  assert.match(claims.limitRule, /Limit unknown/);
});

test('a claim reached is reproduced with no limit, however slow its tree (a slow tree only understates)', () => {
  const v = judgeClaim(TABLE1_393, [craftResults([{ shape: TABLE1, speedup: 4, fffMultiple: 6, ...TREE_ON_WASM_MT }])]);
  assert.equal(v.status, 'reproduced');
  assert.equal(v.limit, undefined);
  assert.equal(verdictSentence(v), v.summary);
});

test('not reached, the floors below the claim: hardware-limited, with what the floors allow', () => {
  const v = judgeClaim(TABLE1_393, [craftResults([{ shape: TABLE1, speedup: 1.4, fffMultiple: 1.5, ...TREE_ON_WASM_MT }])]);
  assert.equal(v.status, 'not-reproduced');
  assert.equal(v.limit?.kind, 'hardware');
  assert.ok(Math.abs(v.limit!.allowed! - 2.1) < 1e-9, `${v.limit!.allowed}`);
  assert.match(
    verdictSentence(v),
    /stops .* short of the claimed 3\.93x.* Hardware-limited: this machine's roofline floors allow at most 2\.10x at the claim's setup \(node, depth 7: .*\), below the claimed 3\.93x: no kernel could reach it here\./,
  );
  assert.equal(limitCell(v), 'hardware-limited: floors allow 2.10x');
});

test('not reached, the floors above the claim and the tree at 5x its floor: kernel-limited, naming the tree', () => {
  // 1.7x measured = 8.50x allowed × dense 1x / tree 5x its floor
  const v = judgeClaim(TABLE1_393, [craftResults([{ shape: TABLE1, speedup: 1.7, fffMultiple: 5, ...TREE_ON_WASM_MT }])]);
  assert.equal(v.status, 'not-reproduced');
  assert.equal(v.limit?.kind, 'tree-kernel');
  assert.ok(Math.abs(v.limit!.allowed! - 8.5) < 1e-9);
  assert.equal(v.limit!.at?.fff.backend, 'wasm-mt');
  assert.match(
    verdictSentence(v),
    /Kernel-limited: not reached here by these kernels: the FFF \(wasm-mt, 1 thread\) ran at 5\.00x its floor, above the 2\.00x the tree rule allows; this machine's limits allow 8\.50x there/,
  );
  assert.equal(limitCell(v), 'kernel-limited: FFF (wasm-mt) 5.00x its floor; floors allow 8.50x');
  // At 2x its floor the tree is within its rule (the boundary, as for the dense side): no longer kernel-limited.
  const atRule = judgeClaim(TABLE1_393, [craftResults([{ shape: TABLE1, speedup: 3, ciHigh: 3.5, fffMultiple: 2, ...TREE_ON_WASM_MT }])]);
  assert.equal(atRule.limit?.kind, 'within-rules');
});

test('the same with the dense layer at 3x its floor is not judged, as before, and names no kernel limit', () => {
  const v = judgeClaim(TABLE1_393, [craftResults([{ shape: TABLE1, speedup: 3, fffMultiple: 5, denseMultiple: 3, ...TREE_ON_WASM_MT }])]);
  assert.equal(v.status, 'not-judged');
  assert.match(v.summary, /the dense baseline \(ort-node, 2 threads\) ran at 33% of this machine's best dense GEMM throughput \(3\.0x its roofline floor/);
  assert.equal(v.limit, undefined, 'the floors allow 5x: only a judged kernel could say more');
  assert.equal(limitCell(v), '—');
  // Where the floors alone rule the claim out, the card says so even unjudged.
  const low = judgeClaim(TABLE1_393, [craftResults([{ shape: TABLE1, speedup: 1.5, fffMultiple: 5, denseMultiple: 3, ...TREE_ON_WASM_MT }])]);
  assert.equal(low.status, 'not-judged');
  assert.equal(low.limit?.kind, 'hardware');
});

test('without calibration the limit is unknown, not guessed', () => {
  const v = judgeClaim(TABLE1_393, [craftResults([{ shape: TABLE1, speedup: 1.7, ...TREE_ON_WASM_MT }], { calibrated: false })]);
  assert.equal(v.status, 'not-judged');
  assert.equal(v.limit?.kind, 'unknown');
  assert.match(verdictSentence(v), /Limit unknown: the results carry no roofline floors \(the run did not calibrate this machine/);
  assert.equal(limitCell(v), 'limit unknown (no roofline floors)');
});

test('not reached with both kernels within their rules is named as such, with what the floors allow', () => {
  // 3.2x measured = 4.80x allowed × dense 1.2x / tree 1.8x: each side within 2x, yet short of 3.93x
  const v = judgeClaim(TABLE1_393, [craftResults([{ shape: TABLE1, speedup: 3.2, ciHigh: 3.5, fffMultiple: 1.8, denseMultiple: 1.2, ...TREE_ON_WASM_MT }])]);
  assert.equal(v.status, 'not-reproduced');
  assert.equal(v.limit?.kind, 'within-rules');
  assert.match(
    verdictSentence(v),
    /Not reached with both kernels within their rules: the FFF \(wasm-mt, 1 thread\) ran at 1\.80x its floor \(the rule allows 2\.00x\), the dense layer \(ort-node\) at 1\.20x \(allowed 2\.00x\); the floors allow 4\.80x there/,
  );
  assert.equal(limitCell(v), 'both kernels within their rules (FFF 1.80x, dense 1.20x their floors); floors allow 4.80x');
});

test('the limit reads where the floors allow the claim: another runtime whose floors allow it makes it a kernel limit', () => {
  const v = judgeClaim(TABLE1_393, [
    craftResults([
      { shape: TABLE1, speedup: 1.9, fffMultiple: 1.5, runtime: 'node', ...TREE_ON_WASM_MT }, // allows 2.85x
      { shape: TABLE1, speedup: 1.2, fffMultiple: 4, runtime: 'deno', ...TREE_ON_WASM_MT }, // allows 4.80x
    ]),
  ]);
  assert.equal(v.best?.runtime, 'node', 'the verdict reads the fastest');
  assert.equal(v.limit?.kind, 'tree-kernel');
  assert.equal(v.limit?.at?.runtime, 'deno');
  assert.match(verdictSentence(v), /ran at 4\.00x its floor.*allow 4\.80x there \(deno, depth 7/);
});

test('a depth-range claim whose depths measured do not allow it is not called hardware-limited: deeper trees were not measured', () => {
  const v = judgeClaim(UP_TO_220, [craftResults([10, 11, 12].map((depth) => ({ shape: FIG3(depth), speedup: 25 * 2 ** (depth - 10), fffMultiple: 1 })))]);
  assert.equal(v.limit?.kind, 'unmeasured-depths');
  assert.equal(v.limit?.deepestMeasured, 12);
  assert.equal(v.limit?.at?.shape.depth, 12);
  assert.match(
    verdictSentence(v),
    /Not settled by the depths measured: up to depth 12 this machine's roofline floors allow at most 100x .*below the claimed 220x, but the claim runs to depth 15, and a deeper tree is allowed more/,
  );
  assert.equal(limitCell(v), 'deeper depths not measured: floors allow 100x up to depth 12');
  // Measured to the end of its range, the same floors make it hardware-limited.
  const full = judgeClaim(UP_TO_220, [craftResults([13, 14, 15].map((depth) => ({ shape: FIG3(depth), speedup: 25 * 2 ** (depth - 13), fffMultiple: 1 })))]);
  assert.equal(full.limit?.kind, 'hardware');
  // Not judged, it names no limit: the floors of the depths measured do not rule the claim out.
  assert.equal(judgeClaim(UP_TO_220, [craftResults([{ shape: FIG3(8), speedup: 300, fffMultiple: 0.1, denseMultiple: 10 }])]).limit, undefined);
});
