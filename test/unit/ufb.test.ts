/**
 * UltraFastBERT's tree (model `ufb`): the float64 reference against sums worked by hand, its tie
 * rule, the cost model's 341x, the initialisation, the check's ambiguous paths, suite expansion of
 * UltraFastBERT shapes and their pairing with the 4095-wide dense layer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkOutput } from '../../src/execute/check.ts';
import { runCase } from '../../src/execute/run-case.ts';
import { minimumBytes } from '../../src/measure/roofline.ts';
import { gelu64 } from '../../src/model/activation.ts';
import { shapeKey } from '../../src/model/case.ts';
import { bytesTouchedPerSample, macsPerSample, theoreticalSpeedup, weightBytes } from '../../src/model/cost.ts';
import { admissibleUfbPaths, ufbForwardRef } from '../../src/model/reference.ts';
import { Rng } from '../../src/model/rng.ts';
import { trainingWidth, ufbNodeCount, type LayerShape } from '../../src/model/shape.ts';
import { initDense, initUfb } from '../../src/model/weights.ts';
import { buildBestComparisons, buildComparisons } from '../../src/results/comparisons.ts';
import type { Result } from '../../src/results/schema.ts';
import { expandCases, expandShapes } from '../../suites/expand.ts';
import { parseSuite } from '../../suites/load.ts';
import { jsBackend } from '../../src/backends/js/index.ts';
import type { Backend } from '../../src/backends/types.ts';
import { stats } from '../crafted-results.ts';
import { oneRowBatch, timeOnePath } from '../../runners/perf/one-path.ts';
import { caseFor, TEST_CASE_CONTEXT, UFB_ODD_SHAPES } from '../support.ts';

const ufbShape = (over: Partial<LayerShape> = {}): LayerShape => ({
  inputDim: 5,
  outputDim: 3,
  depth: 3,
  leafWidth: 1,
  activation: 'gelu',
  tree: 'ufb',
  ...over,
});
const inputs = (n: number, seed = 3) => new Rng(seed).fillUniform(new Float32Array(n), 1);
const dot = (a: ArrayLike<number>, aAt: number, b: ArrayLike<number>, bAt: number, n: number) => {
  let sum = 0;
  for (let k = 0; k < n; k++) sum += a[aAt + k] * b[bAt + k];
  return sum;
};

describe('UltraFastBERT reference', () => {
  it('equals a sum worked by hand: i = 2, o = 2, depth 1', () => {
    const w = initUfb(ufbShape({ inputDim: 2, outputDim: 2, depth: 1 }), 1);
    // node 0 scores x0 − x1; node 1 (left) 2·x0; node 2 (right) x1
    w.nodeIn.set([1, -1, 2, 0, 0, 1]);
    w.nodeOut.set([1, 2, 3, 4, 5, 6]);
    const x = Float32Array.from([0.5, 0.25, -1, 0.75]); // sample 0 goes right (0.25 ≥ 0), sample 1 left (−1.75)
    const ref = ufbForwardRef(w, x, 2);
    const y0 = [gelu64(0.25) * 1 + gelu64(0.25) * 5, gelu64(0.25) * 2 + gelu64(0.25) * 6];
    const y1 = [gelu64(-1.75) * 1 + gelu64(-2) * 3, gelu64(-1.75) * 2 + gelu64(-2) * 4];
    assert.deepEqual([...ref.paths], [0, 2, 0, 1]);
    [...y0, ...y1].forEach((want, k) => {
      assert.ok(Math.abs(ref.output[k] - want) < 1e-15, `output ${k}: ${ref.output[k]} vs ${want}`);
    });
    // magnitude: Σ over levels of Σ|w·x| · |v|
    assert.ok(Math.abs(ref.magnitude[0] - (0.75 * 1 + 0.25 * 5)) < 1e-15);
  });

  it('with every score positive takes the rightmost path 0, 2, 6, 14, … and sums GELU(a)·v along it', () => {
    for (const depth of [0, 1, 5, 11]) {
      const s = ufbShape({ inputDim: 9, outputDim: 4, depth });
      const w = initUfb(s, 7);
      for (let k = 0; k < w.nodeIn.length; k++) w.nodeIn[k] = Math.abs(w.nodeIn[k]);
      const x = inputs(2 * 9).map(Math.abs);
      const ref = ufbForwardRef(w, x, 2);
      const rightmost = Array.from({ length: depth + 1 }, (_, l) => 2 ** (l + 1) - 2);
      for (let sample = 0; sample < 2; sample++) {
        assert.deepEqual([...ref.paths.subarray(sample * (depth + 1), (sample + 1) * (depth + 1))], rightmost, `depth ${depth}`);
        for (let c = 0; c < 4; c++) {
          let want = 0;
          for (const node of rightmost) want += gelu64(dot(x, sample * 9, w.nodeIn, node * 9, 9)) * w.nodeOut[node * 4 + c];
          assert.ok(Math.abs(ref.output[sample * 4 + c] - want) <= 1e-15 * Math.max(1, Math.abs(want)), `depth ${depth}, sample ${sample}, output ${c}`);
        }
      }
    }
  });

  it('goes right on a score of exactly 0 (a ≥ 0), left on a negative one; ReLU sums only positive scores', () => {
    const s = ufbShape({ inputDim: 3, outputDim: 2, depth: 4 });
    const w = initUfb(s, 3);
    // x = 0: every score is 0, so the path is the rightmost and GELU(0) = 0 makes y = 0
    const zero = ufbForwardRef(w, new Float32Array(3), 1);
    assert.deepEqual([...zero.paths], [0, 2, 6, 14, 30]);
    assert.deepEqual([...zero.output], [0, 0]);
    // every score negative: the leftmost path; ReLU of a negative score adds nothing
    for (let k = 0; k < w.nodeIn.length; k++) w.nodeIn[k] = Math.abs(w.nodeIn[k]);
    const negative = Float32Array.from([-1, -0.5, -0.25]);
    assert.deepEqual([...ufbForwardRef(w, negative, 1).paths], [0, 1, 3, 7, 15]);
    assert.deepEqual([...ufbForwardRef({ ...w, shape: { ...s, activation: 'relu' } }, negative, 1).output], [0, 0]);
  });

  it('accepts either branch where a score is within rounding of zero, and only there', () => {
    const s = ufbShape({ inputDim: 2, outputDim: 2, depth: 2 });
    const w = initUfb(s, 5);
    w.nodeIn.set([1, -1], 0); // the root scores x0 − x1
    const x = Float32Array.from([0.5, 0.5 + 2 ** -22]); // root score −2^-22 of magnitude 1: float32 may go either way
    const paths = admissibleUfbPaths(w, x, 0, 1e-5);
    assert.equal(paths.length >= 2, true);
    assert.deepEqual(paths[0].slice(0, 2), [0, 1], 'the float64 path first');
    assert.ok(
      paths.some((p) => p[1] === 2),
      'the right subtree admissible',
    );
    // An output along the right subtree's path passes the check, and is counted as ambiguous.
    const right = paths.find((p) => p[1] === 2)!;
    const y = new Float32Array(2);
    for (const node of right) for (let c = 0; c < 2; c++) y[c] += gelu64(dot(x, 0, w.nodeIn, node * 2, 2)) * w.nodeOut[node * 2 + c];
    const check = checkOutput(w, x, y, 1);
    assert.equal(check.ok, true, `max error ${check.maxRelError}`);
    assert.equal(check.ambiguousSamples, 1);
    // A clear score admits one path, and an output off it fails.
    const clear = Float32Array.from([0.9, 0.1]);
    assert.equal(admissibleUfbPaths(w, clear, 0, 1e-5).length, 1);
    assert.equal(checkOutput(w, clear, y, 1).ok, false);
  });
});

describe('UltraFastBERT cost model and weights', () => {
  it('is (d+1)·(i+o) multiply-adds against 4095·(i+o): 341.25x at depth 11, i = o = 768', () => {
    const s = ufbShape({ inputDim: 768, outputDim: 768, depth: 11 });
    assert.equal(ufbNodeCount(11), 4095);
    assert.equal(trainingWidth(s), 4095);
    assert.equal(macsPerSample('ufb', s), 12 * 1536);
    assert.equal(macsPerSample('dense', s), 4095 * 1536);
    assert.equal(theoreticalSpeedup(s), 341.25);
    assert.equal(weightBytes('ufb', s), 4095 * 1536 * 4);
    assert.equal(bytesTouchedPerSample('ufb', s), 12 * 1536 * 4);
    // the same numbers as an FFF shape are another layer: 2^11 leaves of ℓ = 1, dense width 2048
    assert.equal(trainingWidth({ ...s, tree: undefined }), 2048);
  });

  it('reads each distinct node row once per batch (roofline bytes)', () => {
    const s = { ...ufbShape({ inputDim: 8, outputDim: 4, depth: 3 }), trainingWidth: 15, batchSize: 1 };
    assert.equal(minimumBytes('ufb', s), (4 * 12 + 12) * 4, 'batch 1: four nodes of i + o floats, plus the io');
    const huge = { ...s, batchSize: 60_000 };
    assert.ok(Math.abs(minimumBytes('ufb', huge) - (15 * 12 + 60_000 * 12) * 4) < 1e-6 * 60_000 * 48, 'a huge batch reads all 15 nodes');
  });

  it('initialises as UltraFastBERT does: input rows ±1/√i, output rows ±1/√(d+1), seeded', () => {
    const s = ufbShape({ inputDim: 16, outputDim: 5, depth: 3 });
    const w = initUfb(s, 1);
    const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert.equal(w.nodeIn.length, 15 * 16);
    assert.equal(w.nodeOut.length, 15 * 5);
    assert.ok(maxAbs(w.nodeIn) <= 0.25 && maxAbs(w.nodeIn) > 0.2);
    assert.ok(maxAbs(w.nodeOut) <= 0.5 && maxAbs(w.nodeOut) > 0.4);
    assert.deepEqual(initUfb(s, 1).nodeOut, w.nodeOut);
    assert.notDeepEqual(initUfb(s, 2).nodeOut, w.nodeOut);
    assert.throws(() => initUfb({ ...s, tree: undefined }, 1), /tree "ufb" and leaf width 1/);
  });

  it('the dense baseline of a UltraFastBERT shape is 2^(d+1) − 1 wide with zero biases', () => {
    const d = initDense(ufbShape({ inputDim: 6, outputDim: 3, depth: 2 }), 4);
    assert.equal(d.width, 7);
    assert.equal(d.w1.length, 6 * 7);
    assert.ok(d.b1.every((v) => v === 0) && d.b2.every((v) => v === 0));
    assert.ok(d.w2.some((v) => v !== 0));
  });
});

describe('UltraFastBERT cases', () => {
  const suite = (sweep: object, models?: string[]) =>
    parseSuite(
      {
        name: 'u',
        runtimes: ['node'],
        backends: ['js'],
        ...(models ? { models } : {}),
        sweeps: [{ inputDim: 768, outputDim: 768, leafWidth: 1, depth: 11, batchSize: [1, 16384], activation: 'gelu', ...sweep }],
      },
      'u.json',
    );

  it('a sweep of models [ufb, dense] makes UltraFastBERT shapes with both cases', () => {
    const cases = expandCases(suite({ models: ['ufb', 'dense'] }));
    assert.deepEqual(
      cases.map((c) => c.id),
      [
        'node/js/ufb/i768-o768-d11-l1-b1-gelu-ufb',
        'node/js/dense/i768-o768-d11-l1-b1-gelu-ufb',
        'node/js/ufb/i768-o768-d11-l1-b16384-gelu-ufb',
        'node/js/dense/i768-o768-d11-l1-b16384-gelu-ufb',
      ],
    );
    assert.ok(cases.every((c) => c.shape.tree === 'ufb' && c.shape.trainingWidth === 4095));
  });

  it('models [fff, ufb, dense] make both pairings; a suite without ufb keeps its FFF shapes and ids', () => {
    const both = expandCases(suite({}, ['fff', 'ufb', 'dense']));
    assert.deepEqual(
      both.filter((c) => c.shape.batchSize === 1).map((c) => c.id),
      [
        'node/js/fff/i768-o768-d11-l1-b1-gelu',
        'node/js/dense/i768-o768-d11-l1-b1-gelu',
        'node/js/ufb/i768-o768-d11-l1-b1-gelu-ufb',
        'node/js/dense/i768-o768-d11-l1-b1-gelu-ufb',
      ],
    );
    const fffOnly = expandShapes(suite({}));
    assert.ok(fffOnly.every((s) => !('tree' in s) && s.trainingWidth === 2048));
    // a dense layer alone on UltraFastBERT shapes
    assert.deepEqual(
      expandCases(suite({ models: ['dense'], tree: 'ufb' })).map((c) => c.id),
      ['node/js/dense/i768-o768-d11-l1-b1-gelu-ufb', 'node/js/dense/i768-o768-d11-l1-b16384-gelu-ufb'],
    );
  });

  it('refuses what UltraFastBERT shapes cannot be, naming the field', () => {
    assert.throws(
      () => expandCases(suite({ models: ['ufb', 'dense'], leafWidth: [1, 32] }), 'u.json'),
      /u\.json: sweeps\[0\]\.leafWidth: UltraFastBERT shapes .* leaf width 1, .*given: \[32\]/,
    );
    assert.throws(
      () => expandCases(suite({ models: ['ufb'], depth: undefined, trainingWidth: 4096 })),
      /sweeps\[0\]\.trainingWidth: UltraFastBERT shapes .* take "depth"/,
    );
    assert.throws(() => expandCases(suite({ models: ['ufb', 'dense'], tree: 'fff' })), /sweeps\[0\]\.tree: model ufb runs on ufb shapes/);
    assert.throws(
      () => parseSuite({ name: 'u', sweeps: [{ inputDim: 1, outputDim: 1, leafWidth: 1, depth: 1, batchSize: 1, tree: 'moe' }] }, 'u.json'),
      /sweeps\[0\]\.tree/,
    );
  });

  it('pairs a ufb result with the dense result of its own shape, never with the FFF shape of the same numbers', () => {
    const result = (model: Result['model'], tree: boolean, median: number): Result => {
      const shape = {
        inputDim: 768,
        outputDim: 768,
        depth: 11,
        leafWidth: 1,
        trainingWidth: tree ? 4095 : 2048,
        batchSize: 16384,
        activation: 'gelu' as const,
        ...(tree ? { tree: 'ufb' as const } : {}),
      };
      return {
        id: `node/js/${model}/${shapeKey(shape)}`,
        runtime: { name: 'node', version: '20' },
        backend: { name: 'js', version: '1', threads: 1 },
        model,
        shape,
        status: 'ok',
        cost: { macsPerSample: 0, weightBytes: 0, bytesTouchedPerSample: 0 },
        stats: stats(median),
      };
    };
    const results = [result('fff', false, 10), result('dense', false, 300), result('ufb', true, 20), result('dense', true, 4000)];
    const pairs = buildComparisons(results);
    assert.equal(pairs.length, 2);
    const ufb = pairs.find((p) => p.shape.tree === 'ufb')!;
    assert.equal(ufb.treeId, 'node/js/ufb/i768-o768-d11-l1-b16384-gelu-ufb');
    assert.equal(ufb.denseId, 'node/js/dense/i768-o768-d11-l1-b16384-gelu-ufb');
    assert.equal(ufb.theoreticalSpeedup, 341.25);
    assert.ok(Math.abs(ufb.speedup - 200) < 1e-9);
    const best = buildBestComparisons(results).find((p) => p.shape.tree === 'ufb')!;
    assert.equal(best.treeBackend, 'js');
    assert.equal(best.treeId, ufb.treeId);
  });

  it('a backend without a ufb kernel skips its ufb cases with the reason; the js kernel runs them', async () => {
    // no `models`: the default, fff and dense
    const noUfb: Backend = { name: 'no-ufb', init: jsBackend.init, info: jsBackend.info, prepare: jsBackend.prepare };
    const skipped = await runCase(caseFor('no-ufb', 'ufb', UFB_ODD_SHAPES[1]), noUfb, TEST_CASE_CONTEXT);
    assert.equal(skipped.status, 'skipped');
    assert.equal(skipped.reason, 'no-ufb has no ufb kernel (it runs fff and dense)');
    const ok = await runCase(caseFor('js', 'ufb', UFB_ODD_SHAPES[8]), jsBackend, TEST_CASE_CONTEXT);
    assert.equal(ok.status, 'ok', `${ok.id}: ${ok.reason}`);
    assert.equal(ok.cost.macsPerSample, 6 * 40);
  });

  it('fills the input batches a kernel offers (Kernel.inputs), and fresh arrays past them', async () => {
    // A kernel that asks for room for every batch but gets one (as wasm does where they would not fit).
    const seen: Float32Array[] = [];
    let asked = 0;
    const oneSlot: Backend = {
      name: 'js',
      models: jsBackend.models,
      init: jsBackend.init,
      info: jsBackend.info,
      async prepare(weights, batch, options) {
        asked = options?.inputBatches ?? 0;
        const kernel = await jsBackend.prepare(weights, batch);
        const slot = new Float32Array(batch * weights.shape.inputDim);
        return {
          ...kernel,
          inputs: [slot],
          run: (input: Float32Array) => {
            seen.push(input);
            return kernel.run(input);
          },
          output: () => kernel.output(),
          dispose: () => kernel.dispose(),
        };
      },
    };
    const spec = caseFor('js', 'ufb', UFB_ODD_SHAPES[8]);
    const r = await runCase(spec, oneSlot, TEST_CASE_CONTEXT);
    assert.equal(r.status, 'ok', `${r.id}: ${r.reason}`);
    assert.ok(asked >= 3, `asked for ${asked}`);
    // the check ran on the offered batch, filled; the timed calls on other arrays
    assert.ok(seen[0].some((v) => v !== 0));
    assert.ok(seen.slice(1).every((input) => input !== seen[0]));
  });

  it("perf's best case (issue 16): one row repeated through the batch, checked against the reference before it is timed", async () => {
    const batch = oneRowBatch(new Float32Array(5 * 33), 33, 7);
    for (let r = 1; r < 5; r++) assert.deepEqual(batch.subarray(r * 33, (r + 1) * 33), batch.subarray(0, 33));
    assert.ok(batch.some((v) => v !== 0));
    const { batchSize, ...shape } = UFB_ODD_SHAPES[8];
    for (const backend of ['wasm', 'wasm-mt']) {
      const r = await timeOnePath({ backend, shape, batch: batchSize, seed: 1, measurement: TEST_CASE_CONTEXT.measurement });
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.equal(r.check.checkedSamples, batchSize);
      assert.equal(r.model, 'ufb');
      assert.ok(r.stats.samples.length >= 3);
    }
    // an FFF shape (no `tree`) times the FFF: its weights and kernel
    const fff = await timeOnePath({
      backend: 'wasm',
      shape: { inputDim: 33, outputDim: 7, depth: 4, leafWidth: 6, activation: 'relu' },
      batch: 9,
      seed: 1,
      measurement: TEST_CASE_CONTEXT.measurement,
    });
    assert.ok(fff.ok, fff.ok ? '' : fff.reason);
    assert.equal(fff.model, 'fff');
    assert.equal(fff.check.checkedSamples, 9);
  });
});
