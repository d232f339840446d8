/**
 * Plain JavaScript backend (Float32Array storage, double-precision accumulation, one thread).
 *
 * Dense: the hidden layer is processed in chunks of HIDDEN_CHUNK units — H = act(X·W1[:, chunk] + b1),
 * then Y += H·W2[chunk, :] — so the hidden activations stay in cache however wide the layer is.
 * Both products use the packed register-blocked GEMM in gemm.ts.
 *
 * FFF: every sample walks the tree (unrolled dot products against node rows), then samples are
 * grouped by leaf (counting sort) and each leaf's FF runs once over its group through the same
 * packed GEMM, so a leaf's weights are read once per batch rather than once per sample.
 *
 * UltraFastBERT's tree: level-synchronous across the batch (ufb.ts).
 */
import { gelu32 } from '../../model/activation.ts';
import type { Activation } from '../../model/activation.ts';
import { leafCount } from '../../model/shape.ts';
import type { DenseWeights, FffWeights, Weights } from '../../model/weights.ts';
import type { Backend, Kernel } from '../types.ts';
import { gemmAccumulate, packPanels } from './gemm.ts';
import { prepareUfb, UFB_STRATEGY } from './ufb.ts';

const HIDDEN_CHUNK = 128;

function applyBiasActivation(h: Float32Array, rows: number, cols: number, ld: number, bias: Float32Array, biasAt: number, act: Activation): void {
  for (let r = 0; r < rows; r++) {
    const at = r * ld;
    if (act === 'relu') {
      for (let j = 0; j < cols; j++) {
        const v = h[at + j] + bias[biasAt + j];
        h[at + j] = v > 0 ? v : 0;
      }
    } else {
      for (let j = 0; j < cols; j++) h[at + j] = gelu32(h[at + j] + bias[biasAt + j]);
    }
  }
}

function fillRowsWithBias(y: Float32Array, rows: number, cols: number, bias: Float32Array, biasAt: number): void {
  for (let r = 0; r < rows; r++) y.set(bias.subarray(biasAt, biasAt + cols), r * cols);
}

function prepareDense(w: DenseWeights, batch: number): Kernel {
  const { inputDim: i, outputDim: o, activation } = w.shape;
  const width = w.width;
  const chunks: { w1: Float32Array; w2: Float32Array; start: number; size: number }[] = [];
  for (let start = 0; start < width; start += HIDDEN_CHUNK) {
    const size = Math.min(HIDDEN_CHUNK, width - start);
    chunks.push({
      start,
      size,
      w1: packPanels(w.w1, i, size, width, start),
      w2: packPanels(w.w2.subarray(start * o, (start + size) * o), size, o, o),
    });
  }
  const hidden = new Float32Array(batch * HIDDEN_CHUNK);
  const out = new Float32Array(batch * o);
  return {
    run(x) {
      fillRowsWithBias(out, batch, o, w.b2, 0);
      for (const chunk of chunks) {
        hidden.fill(0, 0, batch * chunk.size);
        gemmAccumulate(x, i, batch, i, chunk.w1, chunk.size, hidden, chunk.size);
        applyBiasActivation(hidden, batch, chunk.size, chunk.size, w.b1, chunk.start, activation);
        gemmAccumulate(hidden, chunk.size, batch, chunk.size, chunk.w2, o, out, o);
      }
    },
    output: () => out,
    dispose() {},
  };
}

function prepareFff(w: FffWeights, batch: number): Kernel {
  const { inputDim: i, outputDim: o, depth, leafWidth: l, activation } = w.shape;
  const leaves = leafCount(depth);
  const firstLeaf = leaves - 1;
  // Each leaf's W1 (i × ℓ) and W2 (ℓ × o) packed for the GEMM, once.
  const leafW1 = Array.from({ length: leaves }, (_, leaf) => packPanels(w.leafW1.subarray(leaf * i * l, (leaf + 1) * i * l), i, l, l));
  const leafW2 = Array.from({ length: leaves }, (_, leaf) => packPanels(w.leafW2.subarray(leaf * l * o, (leaf + 1) * l * o), l, o, o));
  const leafOf = new Int32Array(batch);
  const starts = new Int32Array(leaves + 1);
  const order = new Int32Array(batch);
  const groupX = new Float32Array(batch * i);
  const groupH = new Float32Array(batch * l);
  const groupY = new Float32Array(batch * o);
  const out = new Float32Array(batch * o);

  function dot(a: Float32Array, aAt: number, b: Float32Array, bAt: number): number {
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    let k = 0;
    for (; k + 4 <= i; k += 4) {
      s0 += a[aAt + k] * b[bAt + k];
      s1 += a[aAt + k + 1] * b[bAt + k + 1];
      s2 += a[aAt + k + 2] * b[bAt + k + 2];
      s3 += a[aAt + k + 3] * b[bAt + k + 3];
    }
    for (; k < i; k++) s0 += a[aAt + k] * b[bAt + k];
    return s0 + s1 + s2 + s3;
  }

  return {
    run(x) {
      // 1. tree walk
      for (let s = 0; s < batch; s++) {
        let node = 0;
        for (let level = 0; level < depth; level++) {
          const score = dot(x, s * i, w.nodeWeights, node * i) + w.nodeBias[node];
          node = 2 * node + (score >= 0 ? 2 : 1);
        }
        leafOf[s] = node - firstLeaf;
      }
      // 2. group samples by leaf (counting sort): starts[λ] .. starts[λ+1] in `order`
      starts.fill(0);
      for (let s = 0; s < batch; s++) starts[leafOf[s] + 1]++;
      for (let leaf = 0; leaf < leaves; leaf++) starts[leaf + 1] += starts[leaf];
      const cursor = starts.slice();
      for (let s = 0; s < batch; s++) order[cursor[leafOf[s]]++] = s;
      // 3. each visited leaf's FF once over its group, through the register-blocked GEMM
      for (let leaf = 0; leaf < leaves; leaf++) {
        const from = starts[leaf];
        const rows = starts[leaf + 1] - from;
        if (rows === 0) continue;
        for (let r = 0; r < rows; r++) groupX.set(x.subarray(order[from + r] * i, (order[from + r] + 1) * i), r * i);
        groupH.fill(0, 0, rows * l);
        gemmAccumulate(groupX, i, rows, i, leafW1[leaf], l, groupH, l);
        applyBiasActivation(groupH, rows, l, l, w.leafB1, leaf * l, activation);
        fillRowsWithBias(groupY, rows, o, w.leafB2, leaf * o);
        gemmAccumulate(groupH, l, rows, l, leafW2[leaf], o, groupY, o);
        for (let r = 0; r < rows; r++) out.set(groupY.subarray(r * o, (r + 1) * o), order[from + r] * o);
      }
    },
    output: () => out,
    dispose() {},
  };
}

export const jsBackend: Backend = {
  name: 'js',
  models: ['fff', 'ufb', 'dense'],
  async init() {
    return { ok: true };
  },
  info() {
    return {
      name: 'js',
      version: '1',
      threads: 1,
      denseKernel: `packed 4x4 register-blocked GEMM, hidden layer in chunks of ${HIDDEN_CHUNK}`,
      fffStrategy: 'tree walk per sample, then samples grouped by leaf, each group through the packed GEMM',
      ufbStrategy: UFB_STRATEGY,
    };
  },
  async prepare(weights: Weights, batchSize: number) {
    if (weights.kind === 'ufb') return prepareUfb(weights, batchSize);
    return weights.kind === 'dense' ? prepareDense(weights, batchSize) : prepareFff(weights, batchSize);
  },
};
