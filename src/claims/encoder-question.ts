/**
 * The question the verdict table asks beside the papers' claims about the encoder layer (model
 * `encoder`; src/results/encoder-comparisons.ts): not a paper's claim but the one users ask of it,
 * how much of UltraFastBERT's 78x reaches a whole layer here. What was measured (the tree layer
 * against each dense layer, fastest per configuration) and the answer, as plain data; the report's
 * encoder tables are reports/encoder/.
 */
import { buildEncoderComparisons } from '../results/encoder-comparisons.ts';
import type { EncoderComparison, Machine, Result, ResultsFile } from '../results/schema.ts';
import { formatPercent, formatRatio, formatRatioInterval } from '../text/format.ts';
import type { ClaimsFile } from './claims.ts';

/** The claim the question is asked of, the tree layer and the dense layer it reads (the claim's own pairing). */
export const QUESTION = {
  claimId: 'ultrafastbert-78x-cpu',
  feedforward: '1x11',
  baseline: 'dense-4095',
  text: 'how much of the 78x reaches a whole layer here?',
  suite: 'encoder',
  command: 'npx fffbench run encoder --report',
} as const;

/** One tree layer against one dense layer, with both results and the machine. */
export interface EncoderPoint {
  machine: Machine;
  comparison: EncoderComparison;
  tree: Result;
  dense: Result;
}

export interface EncoderQuestion {
  status: 'measured' | 'not-measured';
  /** "How much of the 78x reaches a whole layer here?" with the claim's number. */
  question: string;
  claimed: number;
  /** The configuration read: the largest end-to-end speedup of 1x11 against dense-4095. */
  read?: EncoderPoint;
  /** The other token counts measured, for the range. */
  points: EncoderPoint[];
  summary: string;
}

function comparisonsOf(file: ResultsFile): EncoderComparison[] {
  return file.encoderComparisons ?? buildEncoderComparisons(file.results);
}

/** Every encoder comparison in `files` whose results are both there and ok; `fastest`: one per configuration, its fastest tree layer. */
export function encoderPoints(files: ResultsFile[], kind: 'fastest' | 'all' = 'fastest'): EncoderPoint[] {
  const points = new Map<string, EncoderPoint>();
  let n = 0;
  for (const file of files) {
    const ok = new Map(file.results.filter((r) => r.model === 'encoder' && r.status === 'ok' && r.stats).map((r) => [r.id, r]));
    for (const comparison of comparisonsOf(file)) {
      const tree = ok.get(comparison.treeId);
      const dense = ok.get(comparison.denseId);
      if (!tree || !dense) continue;
      const key = kind === 'all' ? String(n++) : `${file.machine.id}/${comparison.runtime}/${comparison.feedforward}/${comparison.baseline}/${configOf(tree)}`;
      const before = points.get(key);
      if (!before || tree.stats!.median < before.tree.stats!.median) points.set(key, { machine: file.machine, comparison, tree, dense });
    }
  }
  return [...points.values()].sort(
    (a, b) =>
      a.comparison.runtime.localeCompare(b.comparison.runtime) ||
      a.comparison.tokens - b.comparison.tokens ||
      a.comparison.baseline.localeCompare(b.comparison.baseline) ||
      a.comparison.feedforward.localeCompare(b.comparison.feedforward),
  );
}

const configOf = (r: Result) => `h${r.shape.inputDim}-a${r.shape.encoder!.heads}-s${r.shape.encoder!.seqLen}-b${r.shape.batchSize}`;

/** "8192 tokens (64 sequences of 128)": the same in a sentence. */
export function tokensPhrase(r: Result): string {
  const b = r.shape.batchSize;
  return `${b * r.shape.encoder!.seqLen} tokens (${b} sequence${b === 1 ? '' : 's'} of ${r.shape.encoder!.seqLen})`;
}

/** The question's answer from the measured points of the 78x's pairing (1x11 against dense-4095). */
export function encoderQuestion(points: EncoderPoint[], claims: ClaimsFile): EncoderQuestion {
  const claimed = claims.claims.find((c) => c.id === QUESTION.claimId)?.claimedSpeedup ?? 78;
  const question = `How much of the ${claimed}x reaches a whole layer here?`;
  const pairing = points.filter((p) => p.comparison.feedforward === QUESTION.feedforward && p.comparison.baseline === QUESTION.baseline);
  if (pairing.length === 0) {
    return {
      status: 'not-measured',
      question,
      claimed,
      points: [],
      summary: `Not measured: no ok ${QUESTION.feedforward} and ${QUESTION.baseline} encoder layers of one configuration; run the ${QUESTION.suite} suite (${QUESTION.command}).`,
    };
  }
  const read = pairing.reduce((a, b) => (b.comparison.speedup > a.comparison.speedup ? b : a));
  const c = read.comparison;
  const low = pairing.reduce((a, b) => (b.comparison.speedup < a.comparison.speedup ? b : a)).comparison;
  const range =
    pairing.length > 1
      ? ` Across ${Math.min(...pairing.map((p) => p.comparison.tokens))}–${Math.max(...pairing.map((p) => p.comparison.tokens))} tokens a call: ${formatRatio(low.speedup)} (${low.tokens} tokens) to ${formatRatio(c.speedup)}.`
      : '';
  const amdahl =
    c.amdahlBound !== undefined && c.feedforwardSpeedup !== undefined && c.denseFeedforwardShare !== undefined
      ? ` In the same run the feedforward alone ran ${formatRatio(c.feedforwardSpeedup)} faster and took ${formatPercent(c.denseFeedforwardShare)} of the dense layer's time, so Amdahl's law allows at most ${formatRatio(c.amdahlBound)}.`
      : '';
  return {
    status: 'measured',
    question,
    claimed,
    read,
    points: pairing,
    summary: `${formatRatioInterval(c.speedup, c.speedupCiLow, c.speedupCiHigh)} end to end at best (${tokensPhrase(read.tree)}, ${c.runtime} · trees on ${read.tree.encoder?.engines.feedforward ?? c.treeBackend}): ${formatPercent(c.speedup / claimed)} of the ${claimed}x.${amdahl}${range}`,
  };
}
