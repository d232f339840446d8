/**
 * The encoder layer (model `encoder`): its float64 reference against values worked by hand and
 * against an independent implementation, the K = 1 tree layer against the `ufb` model inside it,
 * the check against planted bugs, the cost model, case identity, suite expansion, and the
 * comparisons and Amdahl bound the report reads.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkEncoderOutput, ENCODER_CHECK_TOLERANCE } from '../../src/execute/encoder-check.ts';
import { encoderWeightSeed } from '../../src/execute/encoder-case.ts';
import { gelu64 } from '../../src/model/activation.ts';
import { caseId, encoderEngines, shapeKey } from '../../src/model/case.ts';
import { bytesTouchedPerSample, macsPerSample, weightBytes } from '../../src/model/cost.ts';
import { deriveSeed, Rng } from '../../src/model/rng.ts';
import {
  encoderShape,
  feedforwardName,
  feedforwardOf,
  initEncoder,
  parseFeedforward,
  tokensPerCall,
  treeSeed,
  treeShape,
  type EncoderWeights,
  type Feedforward,
} from '../../src/model/encoder.ts';
import { attentionHalfRef, encoderForwardRef, feedforwardCandidatesRef } from '../../src/model/encoder-reference.ts';
import { ufbForwardRef } from '../../src/model/reference.ts';
import { trainingWidth } from '../../src/model/shape.ts';
import { initUfb } from '../../src/model/weights.ts';
import { amdahlBound, buildEncoderComparisons } from '../../src/results/encoder-comparisons.ts';
import { buildComparisons } from '../../src/results/comparisons.ts';
import type { Result } from '../../src/results/schema.ts';
import { expandCases } from '../../suites/expand.ts';
import { loadSuite, parseSuite, UserError } from '../../suites/load.ts';
import { stats } from '../crafted-results.ts';

const shapeOf = (hidden: number, heads: number, seqLen: number, batch: number, f: string) =>
  encoderShape({ hidden, heads, seqLen, batch, feedforward: parseFeedforward(f) as Feedforward });
const inputs = (n: number, seed = 3) => new Rng(seed).fillUniform(new Float32Array(n), 1);

/** LayerNorm of a row with the given γ and β (float64), written out here once more. */
function norm(z: number[], gamma: ArrayLike<number>, beta: ArrayLike<number>): number[] {
  const mean = z.reduce((a, v) => a + v, 0) / z.length;
  const variance = z.reduce((a, v) => a + (v - mean) * (v - mean), 0) / z.length;
  return z.map((v, c) => (gamma[c] * (v - mean)) / Math.sqrt(variance + 1e-12) + beta[c]);
}

/**
 * An independent float64 encoder layer in matrix form: Q, K, V as S × H matrices from one x·W per
 * projection, each head's S × S score matrix, its row-softmax times V; then the output projection,
 * the two LayerNorms and the feedforward (dense, or trees walked with their own loop).
 */
function independentLayer(w: EncoderWeights, x: Float32Array, sequence: number): number[][] {
  const H = w.shape.inputDim;
  const { seqLen: S, heads } = w.shape.encoder!;
  const dh = H / heads;
  const row = (t: number) => Array.from(x.subarray((sequence * S + t) * H, (sequence * S + t + 1) * H));
  const X = Array.from({ length: S }, (_, t) => row(t));
  const matmul = (A: number[][], W: ArrayLike<number>, cols: number, offset: number, stride: number, bias: ArrayLike<number>) =>
    A.map((a) => Array.from({ length: cols }, (_, j) => a.reduce((acc, v, k) => acc + v * W[k * stride + offset + j], bias[offset + j])));
  const Q = matmul(X, w.wqkv, H, 0, 3 * H, w.bqkv);
  const K = matmul(X, w.wqkv, H, H, 3 * H, w.bqkv);
  const V = matmul(X, w.wqkv, H, 2 * H, 3 * H, w.bqkv);
  const context = X.map(() => new Array<number>(H).fill(0));
  for (let n = 0; n < heads; n++) {
    for (let t = 0; t < S; t++) {
      const scores = K.map((k) => Q[t].slice(n * dh, (n + 1) * dh).reduce((acc, q, d) => acc + q * k[n * dh + d], 0) / Math.sqrt(dh));
      const e = scores.map((s) => Math.exp(s - Math.max(...scores)));
      const total = e.reduce((a, b) => a + b, 0);
      for (let d = 0; d < dh; d++) context[t][n * dh + d] = e.reduce((acc, p, j) => acc + (p / total) * V[j][n * dh + d], 0);
    }
  }
  const projected = matmul(context, w.wo, H, 0, H, w.bo);
  const h = X.map((xt, t) =>
    norm(
      xt.map((v, c) => v + projected[t][c]),
      w.norm1.gamma,
      w.norm1.beta,
    ),
  );
  const f = h.map((ht) => {
    if (w.feedforward.kind === 'dense') {
      const d = w.feedforward.dense;
      const inner = matmul([ht], d.w1, d.width, 0, d.width, d.b1)[0].map(gelu64);
      return matmul([inner], d.w2, H, 0, H, d.b2)[0];
    }
    const out = new Array<number>(H).fill(0);
    for (const tree of w.feedforward.trees) {
      let node = 0;
      for (let level = 0; level <= tree.shape.depth; level++) {
        const a = ht.reduce((acc, v, k) => acc + v * tree.nodeIn[node * H + k], 0);
        for (let c = 0; c < H; c++) out[c] += gelu64(a) * tree.nodeOut[node * H + c];
        node = a >= 0 ? 2 * node + 2 : 2 * node + 1;
      }
    }
    return out;
  });
  return h.map((ht, t) =>
    norm(
      ht.map((v, c) => v + f[t][c]),
      w.norm2.gamma,
      w.norm2.beta,
    ),
  );
}

describe('encoder layer reference', () => {
  it('equals values worked by hand: H = 8, 2 heads, S = 3', () => {
    const shape = shapeOf(8, 2, 3, 1, 'dense-1');
    const w = initEncoder(shape, 1);
    for (const a of [w.wqkv, w.bqkv, w.wo, w.bo, w.norm1.beta, w.norm2.beta]) a.fill(0);
    w.norm1.gamma.fill(1);
    // head 0: q = (1, 0, 0, 0) for every token (its bias); k_j[0] = j (token j is e_j), so the scores
    // q·k_j / √4 are 0, ½, 1 (exact in float32) and the softmax weights e^(j/2) / Σ; v_j[0] = j + 1,
    // so context[0] = c = (1 + 2e^½ + 3e) / (1 + e^½ + e) for every token. Head 1 has no weights:
    // its context is 0. Wo = I.
    w.bqkv[0] = 1;
    for (let j = 0; j < 3; j++) {
      w.wqkv[j * 24 + 8] = j;
      w.wqkv[j * 24 + 16] = j + 1;
    }
    for (let c = 0; c < 8; c++) w.wo[c * 8 + c] = 1;
    // feedforward: GELU(0·h + 1)·0.5 in column 0; LayerNorm₂ with γ = 2, β = 0.5
    const d = w.feedforward.kind === 'dense' ? w.feedforward.dense : assert.fail();
    d.w1.fill(0);
    d.b1.fill(1);
    d.w2.fill(0);
    d.w2[0] = 0.5;
    d.b2.fill(0);
    w.norm2.gamma.fill(2);
    w.norm2.beta.fill(0.5);
    const x = new Float32Array(24);
    for (let t = 0; t < 3; t++) x[t * 8 + t] = 1;
    const c = (1 + 2 * Math.exp(0.5) + 3 * Math.E) / (1 + Math.exp(0.5) + Math.E);
    assert.ok(Math.abs(c - 2.3202) < 1e-4);
    // h: z_0 = (1 + c, 0, …, 0) has mean (1 + c)/8 and standard deviation √7·(1 + c)/8, so
    // h_0 = (√7, −1/√7, …) whatever c; z_1 = (c, 1, 0, …) and z_2 = (c, 0, 1, 0, …) are normalised here.
    const s7 = Math.sqrt(7);
    const h = [[s7, ...new Array(7).fill(-1 / s7)], norm([c, 1, 0, 0, 0, 0, 0, 0], new Array(8).fill(1), new Array(8).fill(0))];
    h.push([h[1][0], h[1][2], h[1][1], ...h[1].slice(3)]);
    const g = 0.5 * gelu64(1); // Φ(1)/2 = 0.42067…
    assert.ok(Math.abs(gelu64(1) - 0.8413447460685429) < 1e-15);
    const ref = encoderForwardRef(w, x, 0, [0, 1, 2]);
    // (1e-11: the closed forms leave out LayerNorm's ε = 1e-12 added to the variance)
    ref.forEach((r, t) => {
      h[t].forEach((want, k) => {
        assert.ok(Math.abs(r.h[k] - want) < 1e-11, `h[${t}][${k}]: ${r.h[k]} vs ${want}`);
      });
      const y = norm(
        h[t].map((v, k) => v + (k === 0 ? g : 0)),
        w.norm2.gamma,
        w.norm2.beta,
      );
      assert.equal(r.outputs.length, 1);
      y.forEach((want, k) => {
        assert.ok(Math.abs(r.outputs[0][k] - want) < 1e-11, `y[${t}][${k}]: ${r.outputs[0][k]} vs ${want}`);
      });
    });
  });

  it('matches an independent implementation on seeded weights: dense and tree feedforwards, two sequences', () => {
    for (const f of ['dense-5', '1x2', '3x1']) {
      const shape = shapeOf(8, 2, 3, 2, f);
      const w = initEncoder(shape, 4);
      const x = inputs(2 * 3 * 8, 9);
      for (const sequence of [0, 1]) {
        const want = independentLayer(w, x, sequence);
        const got = encoderForwardRef(w, x, sequence, [0, 1, 2]);
        got.forEach((r, t) => {
          want[t].forEach((v, c) => {
            assert.ok(Math.abs(r.outputs[0][c] - v) < 1e-12, `${f}, sequence ${sequence}, token ${t}, column ${c}: ${r.outputs[0][c]} vs ${v}`);
          });
        });
      }
    }
  });

  it("attends within each sequence only: changing one sequence leaves the other's output unchanged", () => {
    const w = initEncoder(shapeOf(8, 2, 3, 2, 'dense-4'), 2);
    const x = inputs(48, 1);
    const before = attentionHalfRef(w, x, 1, [0, 1, 2]);
    x.fill(0.5, 0, 24);
    assert.deepEqual(attentionHalfRef(w, x, 1, [0, 1, 2]), before);
  });

  it("with K = 1 its feedforward is the ufb model's output on h (the tree's weights are initUfb's)", () => {
    const shape = shapeOf(16, 4, 5, 2, '1x4');
    const seed = encoderWeightSeed(1);
    const w = initEncoder(shape, seed);
    const trees = w.feedforward.kind === 'ufb' ? w.feedforward.trees : assert.fail();
    assert.equal(trees.length, 1);
    const ufb = initUfb(treeShape(16, 4), treeSeed(deriveSeed(seed, 'feedforward/16/1x4'), 0));
    assert.deepEqual(trees[0].nodeIn, ufb.nodeIn);
    assert.deepEqual(trees[0].nodeOut, ufb.nodeOut);
    const x = inputs(2 * 5 * 16, 6);
    const h = attentionHalfRef(w, x, 1, [0, 1, 2, 3, 4]);
    const h32 = Float32Array.from(h.flatMap((row) => [...row]));
    const model = ufbForwardRef(ufb, h32, 5);
    h.forEach((row, t) => {
      const [f] = feedforwardCandidatesRef(w, row, 0);
      for (let c = 0; c < 16; c++)
        assert.ok(Math.abs(f[c] - model.output[t * 16 + c]) < 1e-6, `token ${t}, column ${c}: ${f[c]} vs ${model.output[t * 16 + c]}`);
    });
  });

  it('every admissible path of an ambiguous branch is a candidate, the float64 path first', () => {
    const w = initEncoder(shapeOf(8, 2, 3, 1, '2x3'), 5);
    const h = attentionHalfRef(w, inputs(24, 2), 0, [0])[0];
    assert.equal(feedforwardCandidatesRef(w, h, 0).length, 1);
    // a margin of 1 makes every branch ambiguous: 2^3 paths per tree, 64 combinations at most
    const all = feedforwardCandidatesRef(w, h, 1);
    assert.equal(all.length, 64);
    assert.deepEqual(all[0], feedforwardCandidatesRef(w, h, 0)[0]);
  });
});

describe('encoder layer check', () => {
  const shape = shapeOf(16, 4, 4, 2, 'dense-24');
  const w = initEncoder(shape, 8);
  const x = inputs(2 * 4 * 16, 3);
  /** The output of `layer` on every token, as a float32 backend would return it. */
  const outputOf = (layer: EncoderWeights) =>
    Float32Array.from([0, 1].flatMap((s) => encoderForwardRef(layer, x, s, [0, 1, 2, 3]).flatMap((r) => [...r.outputs[0]])));

  it('passes the reference itself in float32', () => {
    const check = checkEncoderOutput(w, x, outputOf(w), 2);
    assert.ok(check.ok, String(check.maxRelError));
    assert.equal(check.checkedSamples, 8);
    assert.ok(check.maxRelError < 1e-7);
  });

  it('fails planted bugs: a bias dropped, the heads swapped, LayerNorm₂ without γ, the softmax unscaled', () => {
    const copy = (): EncoderWeights => structuredClone(w);
    const bugs: [string, EncoderWeights][] = [];
    const noBias = copy();
    noBias.bo.fill(0);
    bugs.push(['no output bias', noBias]);
    const swapped = copy();
    for (let k = 0; k < 16; k++)
      for (let c = 0; c < 4; c++) [swapped.wqkv[k * 48 + c], swapped.wqkv[k * 48 + 4 + c]] = [w.wqkv[k * 48 + 4 + c], w.wqkv[k * 48 + c]];
    bugs.push(['queries of heads 0 and 1 swapped', swapped]);
    const noGamma = copy();
    noGamma.norm2.gamma.fill(1);
    bugs.push(['LayerNorm₂ without γ', noGamma]);
    const unscaled = copy();
    for (let k = 0; k < unscaled.wqkv.length; k++) if (k % 48 < 16) unscaled.wqkv[k] *= 2; // q·kᵀ / 2 ≡ queries twice as large with 1/√dh = 1/2
    for (let c = 0; c < 16; c++) unscaled.bqkv[c] *= 2;
    bugs.push(['the softmax without its 1/√dh', unscaled]);
    for (const [bug, layer] of bugs) {
      const check = checkEncoderOutput(w, x, outputOf(layer), 2);
      assert.ok(!check.ok && check.maxRelError > 100 * ENCODER_CHECK_TOLERANCE, `${bug}: max error ${check.maxRelError}`);
    }
  });

  it('fails a short or non-finite output', () => {
    assert.equal(checkEncoderOutput(w, x, new Float32Array(10), 2).ok, false);
    const nan = outputOf(w);
    nan[5] = NaN;
    assert.equal(checkEncoderOutput(w, x, nan, 2).ok, false);
  });
});

describe('encoder layer shapes, cost and identity', () => {
  it('names its feedforward: "dense-W" or "KxD", and rejects anything else with what is allowed', () => {
    assert.deepEqual(parseFeedforward('dense-3072'), { kind: 'dense', width: 3072 });
    assert.deepEqual(parseFeedforward('16x7'), { kind: 'ufb', trees: 16, depth: 7 });
    for (const bad of ['dense', '1x', 'x11', 'dense-0', '0x3', '1x99', 'ufb-1x11']) assert.equal(typeof parseFeedforward(bad), 'string', bad);
    for (const name of ['dense-3072', '1x11', '3072x0']) assert.equal(feedforwardName(feedforwardOf(shapeOf(768, 12, 128, 1, name))), name);
  });

  it('has one id per variant, sizes and engines: "node/ort-node+wasm-mt/encoder/h768-a12-s128-b4-1x11"', () => {
    const tree = shapeOf(768, 12, 128, 4, '1x11');
    assert.equal(caseId('node', 'ort-node+wasm-mt', 'encoder', tree), 'node/ort-node+wasm-mt/encoder/h768-a12-s128-b4-1x11');
    assert.equal(shapeKey(shapeOf(768, 12, 128, 4, 'dense-3072')), 'h768-a12-s128-b4-dense-3072');
    assert.deepEqual(encoderEngines('ort-node+wasm-mt'), { graphs: 'ort-node', trees: 'wasm-mt' });
    assert.deepEqual(encoderEngines('ort-node'), { graphs: 'ort-node' });
    // training width: the dense layer's, or every node of the K trees
    assert.equal(trainingWidth(tree), 4095);
    assert.equal(trainingWidth(shapeOf(768, 12, 128, 4, '4x9')), 4092);
    assert.equal(trainingWidth(shapeOf(768, 12, 128, 4, 'dense-3072')), 3072);
    assert.equal(tokensPerCall(tree), 512);
  });

  it('costs BERT-base: 4·S·H² + 2·S²·H for the attention, 2·H·W or 2·H·K·(D + 1) a token for the feedforward', () => {
    const [H, S] = [768, 128];
    const attention = 4 * S * H * H + 2 * S * S * H;
    assert.equal(macsPerSample('encoder', shapeOf(H, 12, S, 1, 'dense-3072')), attention + S * 2 * H * 3072);
    assert.equal(macsPerSample('encoder', shapeOf(H, 12, S, 1, '1x11')), attention + S * 2 * H * 12);
    assert.equal(macsPerSample('encoder', shapeOf(H, 12, S, 1, '4x9')), attention + S * 2 * H * 40);
    const attentionParams = 4 * H * H + 4 * H + 4 * H;
    assert.equal(weightBytes('encoder', shapeOf(H, 12, S, 1, 'dense-3072')), (attentionParams + 2 * H * 3072 + 3072 + H) * 4);
    assert.equal(weightBytes('encoder', shapeOf(H, 12, S, 1, '1x11')), (attentionParams + 4095 * 2 * H) * 4);
    assert.equal(bytesTouchedPerSample('encoder', shapeOf(H, 12, S, 1, '1x11')), (attentionParams + S * 12 * 2 * H) * 4);
  });

  it('draws the same attention half for every feedforward, and weights identical to the last bit from one seed', () => {
    const a = initEncoder(shapeOf(16, 2, 4, 1, 'dense-8'), 5);
    const b = initEncoder(shapeOf(16, 2, 4, 64, '2x3'), 5);
    assert.deepEqual([a.wqkv, a.bqkv, a.wo, a.bo, a.norm1, a.norm2], [b.wqkv, b.bqkv, b.wo, b.bo, b.norm1, b.norm2]);
    assert.deepEqual(initEncoder(shapeOf(16, 2, 4, 1, '2x3'), 5), { ...b, shape: shapeOf(16, 2, 4, 1, '2x3') });
    assert.notDeepEqual(initEncoder(shapeOf(16, 2, 4, 1, 'dense-8'), 6).wqkv, a.wqkv);
    // γ = 1 + U(±0.1), β = U(±0.1)
    assert.ok(a.norm1.gamma.every((g) => g >= 0.9 && g <= 1.1) && a.norm2.beta.every((v) => Math.abs(v) <= 0.1));
  });
});

describe('encoder suite', () => {
  it('the shipped encoder suite: BERT-base at S = 128, batch 1 to 64, dense 3072 and 4095, 1x11 and a multi-tree shape, node only', () => {
    const { suite, file } = loadSuite('encoder');
    const cases = expandCases(suite, file);
    assert.ok(
      cases.every(
        (c) => c.model === 'encoder' && c.runtime === 'node' && c.shape.inputDim === 768 && c.shape.encoder!.heads === 12 && c.shape.encoder!.seqLen === 128,
      ),
    );
    assert.deepEqual([...new Set(cases.map((c) => c.shape.batchSize))], [1, 2, 4, 8, 16, 32, 64]);
    const names = new Set(cases.map((c) => feedforwardName(feedforwardOf(c.shape))));
    for (const name of ['dense-3072', 'dense-4095', '1x11']) assert.ok(names.has(name), name);
    assert.ok(
      [...names].some((n) => /^([2-9]|\d\d+)x\d+$/.test(n)),
      'a multi-tree feedforward',
    );
    // the dense layers as one graph; the trees on a tree backend beside the graphs
    for (const c of cases) assert.equal(c.backend.includes('+'), c.shape.tree === 'ufb', c.id);
    assert.ok(cases.some((c) => c.backend === 'ort-node+wasm-mt'));
    // the claims suite keeps its time budget: no encoder layer there
    const claims = loadSuite('claims');
    assert.ok(expandCases(claims.suite, claims.file).every((c) => c.model !== 'encoder'));
  });

  it('--backends keeps the engines it names', () => {
    const { suite, file } = loadSuite('encoder');
    const cases = expandCases(suite, file, ['ort-node', 'wasm']);
    assert.ok(cases.length > 0 && cases.every((c) => c.backend === 'ort-node' || c.backend === 'ort-node+wasm'));
    assert.equal(expandCases(suite, file, ['wasm']).length, 0);
  });

  it('rejects a bad encoder sweep with the field and what is allowed', () => {
    const base = { name: 'e', encoders: [{ seqLen: 4, batchSize: 1, feedforward: ['1x2'] }] };
    assert.equal(expandCases(parseSuite(base, 'e.json'), 'e.json')[0].id, 'node/ort-node+wasm-mt/encoder/h768-a12-s4-b1-1x2');
    const error = (over: object) => {
      try {
        parseSuite({ ...base, encoders: [{ ...base.encoders[0], ...over }] }, 'e.json');
      } catch (err) {
        assert.ok(err instanceof UserError);
        return err.message;
      }
      assert.fail('expected an error');
    };
    assert.match(error({ feedforward: ['1x2', 'sparse'] }), /e\.json: encoders\[0\]\.feedforward\[1\]: "sparse" is not a feedforward: "dense-W" .* or "KxD"/);
    assert.match(error({ hidden: 10, heads: 4 }), /encoders\[0\]: heads must divide hidden/);
    assert.match(error({ trees: ['nope'] }), /encoders\[0\]\.trees\[0\]/);
    assert.match(error({ seqlen: 4 }), /encoders\[0\]\.seqlen: unknown field \(did you mean "seqLen"\?\)/);
  });
});

describe('encoder comparisons', () => {
  /** A crafted encoder result: `median` ns a call, its split's part medians. */
  function craft(f: string, backend: string, median: number, parts: Record<'attention' | 'copies' | 'feedforward' | 'addNorm', number>): Result {
    const shape = shapeOf(768, 12, 128, 8, f);
    const split = {
      rounds: 6,
      whole: stats(median),
      parts: Object.fromEntries(Object.entries(parts).map(([p, v]) => [p, stats(v)])) as Record<keyof typeof parts, ReturnType<typeof stats>>,
    };
    return {
      id: caseId('node', backend, 'encoder', shape),
      runtime: { name: 'node', version: '20' },
      backend: { name: backend, version: '1', threads: 2 },
      model: 'encoder',
      shape,
      status: 'ok',
      stats: stats(median),
      cost: { macsPerSample: 1, weightBytes: 1, bytesTouchedPerSample: 1 },
      encoder: {
        engines: { attention: 'ort-node', feedforward: backend.split('+').at(-1)!, addNorm: 'ort-node' },
        attentionOutputInPlace: true,
        feedforwardOutputInPlace: true,
        dataPath: 'crafted',
        threads: { graphs: 2, feedforward: 2 },
        split,
      },
    };
  }

  it('pairs each tree layer with the fastest dense layer of each width: speedup, the feedforward alone, its share and the Amdahl bound', () => {
    const results = [
      craft('dense-4095', 'ort-node', 100e6, { attention: 40e6, copies: 0, feedforward: 60e6, addNorm: 1e6 }),
      craft('dense-3072', 'ort-node', 80e6, { attention: 40e6, copies: 0, feedforward: 40e6, addNorm: 1e6 }),
      craft('1x11', 'ort-node+wasm-mt', 50e6, { attention: 40e6, copies: 2e6, feedforward: 3e6, addNorm: 1e6 }),
    ];
    const comparisons = buildEncoderComparisons(results);
    assert.equal(comparisons.length, 2);
    const c = comparisons.find((x) => x.baseline === 'dense-4095')!;
    assert.equal(c.feedforward, '1x11');
    assert.equal(c.tokens, 1024);
    assert.ok(Math.abs(c.speedup - 2) < 1e-12);
    assert.ok(Math.abs(c.feedforwardSpeedup! - 20) < 1e-12);
    assert.ok(Math.abs(c.denseFeedforwardShare! - 60 / 101) < 1e-12);
    assert.ok(Math.abs(c.amdahlBound! - 1 / (41 / 101 + 60 / 101 / 20)) < 1e-12);
    assert.ok(c.speedupCiLow <= c.speedup && c.speedup <= c.speedupCiHigh);
    // encoder layers never enter the layer comparisons
    assert.deepEqual(buildComparisons(results), []);
  });

  it("Amdahl's law: a part of share f sped up s times", () => {
    assert.equal(amdahlBound(0.5, Infinity), 2);
    assert.equal(amdahlBound(1, 78), 78);
    assert.ok(Math.abs(amdahlBound(0.6, 78) - 1 / (0.4 + 0.6 / 78)) < 1e-15);
    assert.equal(amdahlBound(0, 78), 1);
  });
});
