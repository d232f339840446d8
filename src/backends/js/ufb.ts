/**
 * UltraFastBERT's tree in plain JavaScript (one thread, double-precision accumulation).
 *
 * Level-synchronous across the batch: at each of the D + 1 levels the samples are grouped by the
 * node they are at (a counting sort), and each visited node's input row and output row are read
 * once per group rather than once per sample. Within a group the dot products run over blocks of
 * SAMPLE_BLOCK samples, so each weight loaded is used for all of them. Per sample and level:
 * a = nodeIn[k]·x, y += act(a)·nodeOut[k], then go right iff a ≥ 0 (model/weights.ts).
 */
import { gelu32, relu } from '../../model/activation.ts';
import { leafCount } from '../../model/shape.ts';
import type { UfbWeights } from '../../model/weights.ts';
import type { Kernel } from '../types.ts';

/** Samples whose dot products share one pass over a node row. */
const SAMPLE_BLOCK = 4;

export const UFB_STRATEGY = `level-synchronous: per level, samples grouped by node (counting sort), each visited node's rows read once per group, dot products over blocks of ${SAMPLE_BLOCK} samples`;

export function prepareUfb(w: UfbWeights, batch: number): Kernel {
  const { inputDim: i, outputDim: o, depth, activation } = w.shape;
  const act = activation === 'relu' ? relu : gelu32;
  const nodeAt = new Int32Array(batch);
  // Group bounds for the widest level, the last: 2^D nodes.
  const starts = new Int32Array(leafCount(depth) + 1);
  const order = new Int32Array(batch);
  const scores = new Float64Array(SAMPLE_BLOCK);
  const hidden = new Float64Array(SAMPLE_BLOCK);
  const rowAt = new Int32Array(SAMPLE_BLOCK);
  const acc = new Float64Array(batch * o);
  const out = new Float32Array(batch * o);

  /** scores[0..n) = nodeIn[node]·x for the n samples order[from..from+n), n ≤ SAMPLE_BLOCK. */
  function blockScores(x: Float32Array, node: number, from: number, n: number): void {
    const row = node * i;
    const w1 = w.nodeIn;
    if (n === SAMPLE_BLOCK) {
      const a0 = order[from] * i,
        a1 = order[from + 1] * i,
        a2 = order[from + 2] * i,
        a3 = order[from + 3] * i;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let k = 0; k < i; k++) {
        const wk = w1[row + k];
        s0 += x[a0 + k] * wk;
        s1 += x[a1 + k] * wk;
        s2 += x[a2 + k] * wk;
        s3 += x[a3 + k] * wk;
      }
      scores[0] = s0;
      scores[1] = s1;
      scores[2] = s2;
      scores[3] = s3;
      return;
    }
    for (let r = 0; r < n; r++) {
      const a = order[from + r] * i;
      let s0 = 0;
      for (let k = 0; k < i; k++) s0 += x[a + k] * w1[row + k];
      scores[r] = s0;
    }
  }

  /** acc[sample] += hidden[r]·nodeOut[node] for the block's n samples (rows at rowAt), the output row read once. */
  function addOutputRow(vAt: number, n: number): void {
    const v = w.nodeOut;
    if (n === SAMPLE_BLOCK) {
      const h0 = hidden[0],
        h1 = hidden[1],
        h2 = hidden[2],
        h3 = hidden[3];
      const y0 = rowAt[0],
        y1 = rowAt[1],
        y2 = rowAt[2],
        y3 = rowAt[3];
      for (let c = 0; c < o; c++) {
        const vc = v[vAt + c];
        acc[y0 + c] += h0 * vc;
        acc[y1 + c] += h1 * vc;
        acc[y2 + c] += h2 * vc;
        acc[y3 + c] += h3 * vc;
      }
      return;
    }
    for (let r = 0; r < n; r++) {
      const h = hidden[r];
      const y = rowAt[r];
      for (let c = 0; c < o; c++) acc[y + c] += h * v[vAt + c];
    }
  }

  return {
    run(x) {
      nodeAt.fill(0);
      acc.fill(0);
      for (let level = 0; level <= depth; level++) {
        // Group the samples by node: starts[j] .. starts[j+1] in `order` are at node first + j.
        const first = 2 ** level - 1;
        const nodes = 2 ** level;
        starts.fill(0, 0, nodes + 1);
        for (let s = 0; s < batch; s++) starts[nodeAt[s] - first + 1]++;
        for (let j = 0; j < nodes; j++) starts[j + 1] += starts[j];
        for (let s = 0; s < batch; s++) order[starts[nodeAt[s] - first]++] = s;
        // The placing loop advanced each start to the next group's: group j now ends at starts[j].
        for (let j = 0, from = 0; j < nodes; from = starts[j], j++) {
          const node = first + j;
          const vAt = node * o;
          for (let at = from; at < starts[j]; at += SAMPLE_BLOCK) {
            const n = Math.min(SAMPLE_BLOCK, starts[j] - at);
            blockScores(x, node, at, n);
            for (let r = 0; r < n; r++) {
              hidden[r] = act(scores[r]);
              rowAt[r] = order[at + r] * o;
              nodeAt[order[at + r]] = 2 * node + (scores[r] >= 0 ? 2 : 1);
            }
            addOutputRow(vAt, n);
          }
        }
      }
      for (let k = 0; k < out.length; k++) out[k] = acc[k];
    },
    output: () => out,
    outputView: out,
    dispose() {},
  };
}
