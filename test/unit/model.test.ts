import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { erf64, gelu32, gelu64 } from '../../src/model/activation.ts';
import { macsPerSample, theoreticalSpeedup, weightBytes } from '../../src/model/cost.ts';
import { denseForwardRef, fffForwardRef, fffSoftForwardRef } from '../../src/model/reference.ts';
import { Rng } from '../../src/model/rng.ts';
import type { LayerShape } from '../../src/model/shape.ts';
import { denseFromLeaves, initDense, initFff } from '../../src/model/weights.ts';

const shape = (over: Partial<LayerShape> = {}): LayerShape => ({ inputDim: 9, outputDim: 4, depth: 3, leafWidth: 2, activation: 'relu', ...over });
const inputs = (n: number, seed = 3) => new Rng(seed).fillUniform(new Float32Array(n), 1);

function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let k = 0; k < a.length; k++) assert.ok(Math.abs(a[k] - b[k]) <= tol, `${what}[${k}]: ${a[k]} vs ${b[k]}`);
}

describe('seeded initialisation', () => {
  it('fillUniform (the inlined generator) draws exactly what uniform() draws, and leaves the same state', () => {
    for (const seed of [1, 7, 123456789, 4294967295]) {
      const [bulk, single] = [new Rng(seed), new Rng(seed)];
      const filled = bulk.fillUniform(new Float32Array(10_007), 0.3);
      filled.forEach((v, k) => {
        assert.equal(v, Math.fround(single.uniform(0.3)), `seed ${seed}, draw ${k}`);
      });
      assert.equal(bulk.nextUint32(), single.nextUint32());
    }
  });
  it('is deterministic and seed-dependent', () => {
    assert.deepEqual(initFff(shape(), 5).leafW1, initFff(shape(), 5).leafW1);
    assert.notDeepEqual(initFff(shape(), 5).leafW1, initFff(shape(), 6).leafW1);
  });
  it('follows the reference package bounds: ±1/√i for nodes, W1, b1; ±1/√ℓ for W2, b2', () => {
    const s = shape({ inputDim: 16, leafWidth: 4, depth: 4 });
    const w = initFff(s, 1);
    const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    for (const a of [w.nodeWeights, w.nodeBias, w.leafW1, w.leafB1]) {
      assert.ok(maxAbs(a) <= 0.25 && maxAbs(a) > 0.2, `in-bound ${maxAbs(a)}`);
    }
    for (const a of [w.leafW2, w.leafB2]) assert.ok(maxAbs(a) <= 0.5 && maxAbs(a) > 0.4, `leaf-bound ${maxAbs(a)}`);
    assert.equal(w.nodeWeights.length, 15 * 16);
    assert.equal(w.leafW1.length, 16 * 16 * 4);
  });
});

describe('model identities', () => {
  it('the dense reference (row-major walk, rows in blocks) equals the textbook column-by-column sums bit for bit', () => {
    // width 2^15 makes blocks of 64 rows: 65 rows cross a block boundary
    const shape: LayerShape = { inputDim: 5, outputDim: 3, depth: 10, leafWidth: 32, activation: 'gelu' };
    const w = initDense(shape, 11);
    const batch = 65;
    const x = new Rng(12).fillUniform(new Float32Array(batch * 5), 1);
    const ref = denseForwardRef(w, x, batch);
    const width = w.width;
    for (const s of [0, 63, 64]) {
      const hidden = Array.from({ length: width }, (_, j) => {
        let sum = w.b1[j];
        let mag = Math.abs(w.b1[j]);
        for (let k = 0; k < 5; k++) {
          sum += x[s * 5 + k] * w.w1[k * width + j];
          mag += Math.abs(x[s * 5 + k] * w.w1[k * width + j]);
        }
        return [gelu64(sum), mag];
      });
      for (let c = 0; c < 3; c++) {
        let sum = w.b2[c];
        let mag = Math.abs(w.b2[c]);
        for (let j = 0; j < width; j++) {
          sum += hidden[j][0] * w.w2[j * 3 + c];
          mag += hidden[j][1] * Math.abs(w.w2[j * 3 + c]);
        }
        assert.equal(ref.output[s * 3 + c], sum, `row ${s}, output ${c}`);
        assert.equal(ref.magnitude[s * 3 + c], mag, `row ${s}, magnitude ${c}`);
      }
    }
  });
  it('soft FFF with zero node parameters equals the dense FF of its leaves, scaled by 2^-d', () => {
    for (const activation of ['relu', 'gelu'] as const) {
      const s = shape({ activation });
      const w = initFff(s, 11);
      w.nodeWeights.fill(0);
      w.nodeBias.fill(0);
      const x = inputs(5 * s.inputDim);
      const soft = fffSoftForwardRef(w, x, 5);
      const dense = denseForwardRef(denseFromLeaves(w), x, 5).output.map((v) => v / 2 ** s.depth);
      // 1e-6: the dense b2 is the leaves' b2 summed into one float32, rounded once
      assertClose(soft, dense, 1e-6, activation);
    }
  });

  it('hard and soft FFF agree where node scores are far from zero', () => {
    const s = shape({ depth: 4 });
    const w = initFff(s, 12);
    // Large node weights saturate every sigmoid, so the soft mixture picks one leaf.
    for (let k = 0; k < w.nodeWeights.length; k++) w.nodeWeights[k] *= 1e4;
    w.nodeBias.fill(0);
    const x = inputs(8 * s.inputDim, 4);
    const hard = fffForwardRef(w, x, 8).output;
    const soft = fffSoftForwardRef(w, x, 8);
    assertClose(hard, soft, 1e-6, 'hard vs soft');
  });

  it('hard and soft differ when scores are near zero (the identity above is not vacuous)', () => {
    const s = shape();
    const w = initFff(s, 12);
    const x = inputs(4 * s.inputDim, 4);
    const hard = fffForwardRef(w, x, 4).output;
    const soft = fffSoftForwardRef(w, x, 4);
    assert.ok(hard.some((v, k) => Math.abs(v - soft[k]) > 1e-3));
  });

  it('depth 0 is a single dense leaf', () => {
    const s = shape({ depth: 0, leafWidth: 5 });
    const w = initFff(s, 13);
    const x = inputs(3 * s.inputDim);
    assertClose(fffForwardRef(w, x, 3).output, denseForwardRef(denseFromLeaves(w), x, 3).output, 1e-12, 'd=0');
    assert.deepEqual([...fffForwardRef(w, x, 3).leaves], [0, 0, 0]);
  });

  it('hard inference goes right iff w·x + b ≥ 0 (heap order)', () => {
    const s = shape({ depth: 2, inputDim: 1, leafWidth: 1, outputDim: 1 });
    const w = initFff(s, 1);
    w.nodeWeights.set([1, 1, 1]);
    w.nodeBias.set([0, -0.5, -2]); // root: x ≥ 0; left child (node 1): x ≥ 0.5; right child (node 2): x ≥ 2
    const x = Float32Array.from([-1, 0.1, 0.7, 3]);
    // -1 → left, then node1 score -1.5 → left → leaf 0; 0.1 → right (node 2), 0.1-2 < 0 → leaf 2; 3 → node 2 → leaf 3
    assert.deepEqual([...fffForwardRef(w, x, 4).leaves], [0, 2, 2, 3]);
  });
});

describe('activations', () => {
  it('erf64 matches known values', () => {
    const known: [number, number][] = [
      [0, 0],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [3, 0.9999779095030014],
      [-1.5, -0.9661051464753108],
    ];
    for (const [x, want] of known) assert.ok(Math.abs(erf64(x) - want) < 1e-14, `erf(${x})`);
  });
  it('the float32 GELU is within 2e-7·|x| of the exact one', () => {
    for (let x = -8; x <= 8; x += 0.01) assert.ok(Math.abs(gelu32(x) - gelu64(x)) <= 2e-7 * Math.max(1, Math.abs(x)), `x=${x}`);
  });
});

describe('cost model', () => {
  it('theoretical speedup is 2^d·ℓ·(i+o) / (d·i + ℓ·(i+o))', () => {
    for (const [i, o, d, l] of [
      [784, 10, 7, 1],
      [768, 768, 12, 32],
      [768, 768, 15, 32],
      [33, 7, 0, 3],
    ]) {
      const s = shape({ inputDim: i, outputDim: o, depth: d, leafWidth: l });
      assert.equal(theoreticalSpeedup(s), (2 ** d * l * (i + o)) / (d * i + l * (i + o)));
    }
  });
  it('matches the paper-facts examples', () => {
    assert.equal(theoreticalSpeedup(shape({ inputDim: 784, outputDim: 10, depth: 7, leafWidth: 1 })).toFixed(1), '16.2');
    assert.equal(Math.round(theoreticalSpeedup(shape({ inputDim: 768, outputDim: 768, depth: 12, leafWidth: 32 }))), 3449);
    assert.equal(Math.round(theoreticalSpeedup(shape({ inputDim: 768, outputDim: 768, depth: 15, leafWidth: 32 }))), 26546);
  });
  it('counts MACs and weight bytes', () => {
    const s = shape({ inputDim: 10, outputDim: 3, depth: 2, leafWidth: 4 });
    assert.equal(macsPerSample('dense', s), 16 * 13);
    assert.equal(macsPerSample('fff', s), 2 * 10 + 4 * 13);
    assert.equal(weightBytes('dense', s), 4 * (10 * 16 + 16 + 16 * 3 + 3));
    assert.equal(weightBytes('fff', s), 4 * (3 * 11 + 4 * (40 + 4 + 12 + 3)));
    const d = initDense(s, 1);
    assert.equal(weightBytes('dense', s), 4 * (d.w1.length + d.b1.length + d.w2.length + d.b2.length));
  });
});
