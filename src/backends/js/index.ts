/**
 * Plain JavaScript backend (Float32Array storage, double-precision accumulation, one thread).
 *
 * Dense: the hidden layer is processed in chunks of HIDDEN_CHUNK units — H = act(X·W1[:, chunk] + b1),
 * then Y += H·W2[chunk, :] — so the hidden activations stay in cache however wide the layer is.
 * Both products use the packed register-blocked GEMM in gemm.ts.
 *
 * FFF: every sample walks the tree (unrolled dot products against node rows), then samples are
 * grouped by leaf (counting sort) and each leaf's FF runs once over its group, so a leaf's
 * weights are read once per batch rather than once per sample.
 */
import { gelu32 } from '../../model/activation.ts';
import type { Activation } from '../../model/activation.ts';
import { leafCount } from '../../model/shape.ts';
import type { DenseWeights, FffWeights, Weights } from '../../model/weights.ts';
import type { Backend, Kernel } from '../types.ts';
import { gemmAccumulate, packPanels } from './gemm.ts';

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
  // Leaf W1 transposed to ℓ × i so each hidden unit is one contiguous dot product.
  const w1t = new Float32Array(w.leafW1.length);
  for (let leaf = 0; leaf < leaves; leaf++) {
    for (let k = 0; k < i; k++) {
      for (let j = 0; j < l; j++) w1t[(leaf * l + j) * i + k] = w.leafW1[(leaf * i + k) * l + j];
    }
  }
  const leafOf = new Int32Array(batch);
  const counts = new Int32Array(leaves + 1);
  const order = new Int32Array(batch);
  const hidden = new Float64Array(l);
  const out = new Float32Array(batch * o);

  function dot(a: Float32Array, aAt: number, b: Float32Array, bAt: number): number {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
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
      // 2. group samples by leaf (counting sort)
      counts.fill(0);
      for (let s = 0; s < batch; s++) counts[leafOf[s] + 1]++;
      for (let leaf = 0; leaf < leaves; leaf++) counts[leaf + 1] += counts[leaf];
      for (let s = 0; s < batch; s++) order[counts[leafOf[s]]++] = s;
      // 3. each sample's leaf FF, in leaf order (a leaf's weights stay in cache across its group)
      for (let n = 0; n < batch; n++) {
        const s = order[n];
        const leaf = leafOf[s];
        for (let j = 0; j < l; j++) {
          const v = dot(x, s * i, w1t, (leaf * l + j) * i) + w.leafB1[leaf * l + j];
          hidden[j] = activation === 'relu' ? (v > 0 ? v : 0) : gelu32(v);
        }
        const y = s * o;
        const b2 = leaf * o;
        for (let c = 0; c < o; c++) out[y + c] = w.leafB2[b2 + c];
        for (let j = 0; j < l; j++) {
          const h = hidden[j];
          const row = (leaf * l + j) * o;
          for (let c = 0; c < o; c++) out[y + c] += h * w.leafW2[row + c];
        }
      }
    },
    output: () => out,
    dispose() {},
  };
}

export const jsBackend: Backend = {
  name: 'js',
  async init() {
    return { ok: true };
  },
  info() {
    return {
      name: 'js',
      version: '1',
      threads: 1,
      denseKernel: `packed 4x4 register-blocked GEMM, hidden layer in chunks of ${HIDDEN_CHUNK}`,
      fffStrategy: 'tree walk per sample, then samples grouped by leaf',
    };
  },
  async prepare(weights: Weights, batchSize: number) {
    return weights.kind === 'dense' ? prepareDense(weights, batchSize) : prepareFff(weights, batchSize);
  },
};
