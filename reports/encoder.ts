/**
 * The encoder layer in the report (model `encoder`; src/results/encoder-comparisons.ts), as plain
 * data every renderer draws (render-encoder.ts): the end-to-end table (each tree layer against each
 * dense layer, with the feedforward's own speedup in the same run and the Amdahl bound), the split
 * of every layer measured, and the row the verdict table gains — not a paper's claim but the
 * question users ask of one: how much of UltraFastBERT's 78x reaches a whole layer here.
 */
import { ENCODER_PARTS, type EncoderPart } from '../src/model/encoder.ts';
import { buildEncoderComparisons } from '../src/results/encoder-comparisons.ts';
import type { EncoderComparison, Machine, Result, ResultsFile } from '../src/results/schema.ts';
import type { ClaimsFile } from './claims.ts';
import { formatPercent, formatRatio, formatThreads, formatTime } from '../src/text/format.ts';
import { machineLabel } from './measured.ts';

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

/** One measured encoder layer and its split. */
export interface EncoderLayer {
  machine: Machine;
  result: Result;
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

export interface EncoderSection {
  /** Per machine, runtime, feedforward, baseline and tokens: the fastest tree layer's comparison. */
  points: EncoderPoint[];
  /** Every comparison (each tree backend), for the detail list. */
  allPoints: EncoderPoint[];
  layers: EncoderLayer[];
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
    (a, b) => a.comparison.runtime.localeCompare(b.comparison.runtime) || a.comparison.tokens - b.comparison.tokens || a.comparison.baseline.localeCompare(b.comparison.baseline) || a.comparison.feedforward.localeCompare(b.comparison.feedforward),
  );
}

const configOf = (r: Result) => `h${r.shape.inputDim}-a${r.shape.encoder!.heads}-s${r.shape.encoder!.seqLen}-b${r.shape.batchSize}`;

/** "8192 (64 × 128)": tokens per call, sequences × sequence length (a table cell). */
export function tokensText(r: Result): string {
  return `${r.shape.batchSize * r.shape.encoder!.seqLen} (${r.shape.batchSize} × ${r.shape.encoder!.seqLen})`;
}

/** "8192 tokens (64 sequences of 128)": the same in a sentence. */
export function tokensPhrase(r: Result): string {
  const b = r.shape.batchSize;
  return `${b * r.shape.encoder!.seqLen} tokens (${b} sequence${b === 1 ? '' : 's'} of ${r.shape.encoder!.seqLen})`;
}

const interval = (x: number, low: number, high: number) => `${formatRatio(x)} [${formatRatio(low)}, ${formatRatio(high)}]`;

/** The end-to-end speedup of a point, with its interval. */
export function speedupText(p: EncoderPoint): string {
  return interval(p.comparison.speedup, p.comparison.speedupCiLow, p.comparison.speedupCiHigh);
}

/** The feedforward's own speedup of a point (its split), with its interval. */
export function feedforwardText(p: EncoderPoint): string {
  const c = p.comparison;
  return c.feedforwardSpeedup === undefined ? '—' : interval(c.feedforwardSpeedup, c.feedforwardSpeedupCiLow!, c.feedforwardSpeedupCiHigh!);
}

export const END_TO_END_HEADER = ['runtime', 'tokens (sequences × length)', 'feedforward vs dense', 'tree layer', 'dense layer', 'end to end [95% CI]', 'feedforward alone [95% CI]', 'feedforward share of the dense layer', 'Amdahl bound', 'end to end / bound'];

/** The end-to-end table's cells for one point. */
export function endToEndRow(p: EncoderPoint, severalMachines: boolean): string[] {
  const c = p.comparison;
  return [
    `${c.runtime}${severalMachines ? ` · ${machineLabel(p.machine)}` : ''}`,
    tokensText(p.tree),
    `${c.feedforward} vs ${c.baseline}`,
    `${formatTime(p.tree.stats!.median)} ${c.treeBackend}`,
    `${formatTime(p.dense.stats!.median)} ${c.denseBackend}`,
    speedupText(p),
    feedforwardText(p),
    c.denseFeedforwardShare === undefined ? '—' : formatPercent(c.denseFeedforwardShare),
    c.amdahlBound === undefined ? '—' : formatRatio(c.amdahlBound),
    c.amdahlBound === undefined ? '—' : formatPercent(c.speedup / c.amdahlBound),
  ];
}

const PART_LABEL: Record<EncoderPart, string> = { attention: 'attention half', copies: 'copies', feedforward: 'feedforward', addNorm: 'add + LayerNorm' };

export const SPLIT_HEADER = ['runtime', 'layer', 'engines (threads)', 'tokens', 'layer median', ...ENCODER_PARTS.map((p) => PART_LABEL[p]), 'sum of parts / whole (interleaved)', 'data between engines'];

/** The split table's cells for one layer: medians of its parts, and their sum beside the whole call's. */
export function splitRow(l: EncoderLayer, severalMachines: boolean): string[] {
  const r = l.result;
  const e = r.encoder;
  const split = e?.split;
  const name = r.shape.tree === 'ufb' ? `${r.shape.encoder!.trees ?? 1}x${r.shape.depth}` : `dense-${r.shape.trainingWidth}`;
  const sum = split ? ENCODER_PARTS.reduce((a, p) => a + split.parts[p].median, 0) : NaN;
  const threads = !e
    ? `${r.backend.name} (${formatThreads(r.backend.threads)})`
    : e.engines.feedforward === e.engines.attention
      ? `${e.engines.attention} (${formatThreads(e.threads.graphs)})`
      : `${e.engines.attention} (${formatThreads(e.threads.graphs)}) + ${e.engines.feedforward} (${formatThreads(e.threads.feedforward)})`;
  const moves = !e ? '—' : e.attentionOutputInPlace && e.feedforwardOutputInPlace ? 'in place' : [e.attentionOutputInPlace ? 'h in place' : 'h copied', e.feedforwardOutputInPlace ? 'output in place' : 'output copied'].join(', ');
  return [
    `${r.runtime.name}${severalMachines ? ` · ${machineLabel(l.machine)}` : ''}`,
    name,
    threads,
    tokensText(r),
    formatTime(r.stats!.median),
    ...ENCODER_PARTS.map((p) => (split ? `${formatTime(split.parts[p].median)} (${formatPercent(split.parts[p].median / sum)})` : '—')),
    split ? `${formatTime(sum)} / ${formatTime(split.whole.median)}` : '—',
    moves,
  ];
}

/** The question's answer from the measured points of the 78x's pairing (1x11 against dense-4095). */
export function encoderQuestion(points: EncoderPoint[], claims: ClaimsFile): EncoderQuestion {
  const claimed = claims.claims.find((c) => c.id === QUESTION.claimId)?.claimedSpeedup ?? 78;
  const question = `How much of the ${claimed}x reaches a whole layer here?`;
  const pairing = points.filter((p) => p.comparison.feedforward === QUESTION.feedforward && p.comparison.baseline === QUESTION.baseline);
  if (pairing.length === 0) {
    return { status: 'not-measured', question, claimed, points: [], summary: `Not measured: no ok ${QUESTION.feedforward} and ${QUESTION.baseline} encoder layers of one configuration; run the ${QUESTION.suite} suite (${QUESTION.command}).` };
  }
  const read = pairing.reduce((a, b) => (b.comparison.speedup > a.comparison.speedup ? b : a));
  const c = read.comparison;
  const low = pairing.reduce((a, b) => (b.comparison.speedup < a.comparison.speedup ? b : a)).comparison;
  const range = pairing.length > 1 ? ` Across ${Math.min(...pairing.map((p) => p.comparison.tokens))}–${Math.max(...pairing.map((p) => p.comparison.tokens))} tokens a call: ${formatRatio(low.speedup)} (${low.tokens} tokens) to ${formatRatio(c.speedup)}.` : '';
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
    summary: `${interval(c.speedup, c.speedupCiLow, c.speedupCiHigh)} end to end at best (${tokensPhrase(read.tree)}, ${c.runtime} · trees on ${read.tree.encoder?.engines.feedforward ?? c.treeBackend}): ${formatPercent(c.speedup / claimed)} of the ${claimed}x.${amdahl}${range}`,
  };
}

/** The report's encoder section (tables and charts), or undefined when `files` hold no encoder layer, measured or not. */
export function buildEncoderSection(files: ResultsFile[]): EncoderSection | undefined {
  if (!files.some((f) => f.results.some((r) => r.model === 'encoder'))) return undefined;
  const layers = files.flatMap((f) => f.results.filter((r) => r.model === 'encoder' && r.status === 'ok' && r.stats).map((result) => ({ machine: f.machine, result })));
  return { points: encoderPoints(files), allPoints: encoderPoints(files, 'all'), layers };
}
