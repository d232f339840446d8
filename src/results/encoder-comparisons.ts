/**
 * Encoder layers compared (model `encoder`): each tree-feedforward layer against the dense-feedforward
 * layers of the same runtime, hidden size, heads, sequence length and batch — end to end, and with
 * what Amdahl's law allows it.
 *
 * - speedup: the dense layer's median call over the tree layer's (whole calls, with the bootstrap
 *   interval every speedup has);
 * - feedforwardSpeedup: the same ratio for the feedforward part of the two layers' splits (the
 *   feedforward alone, measured in the same run on the same tokens: the layer-only speedup);
 * - denseFeedforwardShare f: the feedforward's share of the dense layer's split (its median over
 *   the sum of the parts' medians);
 * - amdahlBound: 1 / ((1 − f) + f / feedforwardSpeedup), the end-to-end speedup if everything but
 *   the feedforward ran as in the dense layer. A measured speedup under it shows what the
 *   composition costs (copies, an engine switch); the bound itself shows how little of a large
 *   feedforward speedup a layer can keep when the rest of it is dense.
 *
 * Against each dense feedforward (BERT-base's 3072 and the 4095 UltraFastBERT's tree has the training
 * width of), the fastest dense layer of those sizes is the baseline (any graph backend).
 */
import { ENCODER_PARTS, feedforwardName, feedforwardOf, tokensPerCall } from '../model/encoder.ts';
import { ratioOfMedians } from '../measure/stats.ts';
import type { EncoderComparison, Result } from './schema.ts';

const configKey = (r: Result) => {
  const e = r.shape.encoder!;
  return `${r.runtime.name}/h${r.shape.inputDim}/a${e.heads}/s${e.seqLen}/b${r.shape.batchSize}`;
};

const measured = (r: Result) => r.model === 'encoder' && r.status === 'ok' && Boolean(r.stats) && Boolean(r.shape.encoder);

/** 1 / ((1 − f) + f / s): Amdahl's law for a part of share f sped up s times. */
export function amdahlBound(share: number, partSpeedup: number): number {
  return 1 / (1 - share + share / partSpeedup);
}

export function buildEncoderComparisons(results: Result[]): EncoderComparison[] {
  const dense = new Map<string, Map<string, Result>>();
  for (const r of results) {
    if (!measured(r) || r.shape.tree === 'ufb') continue;
    const byWidth = dense.get(configKey(r)) ?? new Map<string, Result>();
    const name = feedforwardName(feedforwardOf(r.shape));
    const best = byWidth.get(name);
    if (!best || r.stats!.median < best.stats!.median) byWidth.set(name, r);
    dense.set(configKey(r), byWidth);
  }
  const comparisons: EncoderComparison[] = [];
  for (const tree of results) {
    if (!measured(tree) || tree.shape.tree !== 'ufb') continue;
    for (const [baseline, d] of dense.get(configKey(tree)) ?? []) {
      const { ratio, ciLow, ciHigh } = ratioOfMedians(d.stats!.samples, tree.stats!.samples);
      const split = tree.encoder?.split && d.encoder?.split ? { tree: tree.encoder.split, dense: d.encoder.split } : undefined;
      let amdahl: Partial<EncoderComparison> = {};
      if (split) {
        const s = ratioOfMedians(split.dense.parts.feedforward.samples, split.tree.parts.feedforward.samples);
        const sum = ENCODER_PARTS.reduce((a, p) => a + split.dense.parts[p].median, 0);
        const share = split.dense.parts.feedforward.median / sum;
        amdahl = {
          feedforwardSpeedup: s.ratio,
          feedforwardSpeedupCiLow: s.ciLow,
          feedforwardSpeedupCiHigh: s.ciHigh,
          denseFeedforwardShare: share,
          amdahlBound: amdahlBound(share, s.ratio),
        };
      }
      comparisons.push({
        runtime: tree.runtime.name,
        feedforward: feedforwardName(feedforwardOf(tree.shape)),
        baseline,
        tokens: tokensPerCall(tree.shape),
        shape: tree.shape,
        treeId: tree.id,
        denseId: d.id,
        treeBackend: tree.backend.name,
        denseBackend: d.backend.name,
        speedup: ratio,
        speedupCiLow: ciLow,
        speedupCiHigh: ciHigh,
        ...amdahl,
      });
    }
  }
  return comparisons;
}
