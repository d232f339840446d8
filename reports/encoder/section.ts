/**
 * The encoder layers' tables in the report, as plain data every renderer draws (render.ts): the
 * end-to-end table (each tree layer against each dense layer, with the feedforward's own speedup in
 * the same run and the Amdahl bound) and the split of every layer measured. The question the
 * verdict table asks of them is src/claims/encoder-question.ts.
 */
import { ENCODER_PARTS, type EncoderPart } from '../../src/model/encoder.ts';
import type { Machine, Result, ResultsFile } from '../../src/results/schema.ts';
import { encoderPoints, type EncoderPoint } from '../../src/claims/encoder-question.ts';
import { machineLabel } from '../../src/claims/measured.ts';
import { formatPercent, formatRatio, formatRatioInterval, formatThreads, formatTime } from '../../src/text/format.ts';

/** One measured encoder layer and its split. */
export interface EncoderLayer {
  machine: Machine;
  result: Result;
}

export interface EncoderSection {
  /** Per machine, runtime, feedforward, baseline and tokens: the fastest tree layer's comparison. */
  points: EncoderPoint[];
  /** Every comparison (each tree backend), for the detail list. */
  allPoints: EncoderPoint[];
  layers: EncoderLayer[];
}

/** "8192 (64 × 128)": tokens per call, sequences × sequence length (a table cell). */
export function tokensText(r: Result): string {
  return `${r.shape.batchSize * r.shape.encoder!.seqLen} (${r.shape.batchSize} × ${r.shape.encoder!.seqLen})`;
}

/** The end-to-end speedup of a point, with its interval. */
export function speedupText(p: EncoderPoint): string {
  return formatRatioInterval(p.comparison.speedup, p.comparison.speedupCiLow, p.comparison.speedupCiHigh);
}

/** The feedforward's own speedup of a point (its split), with its interval. */
export function feedforwardText(p: EncoderPoint): string {
  const c = p.comparison;
  return c.feedforwardSpeedup === undefined ? '—' : formatRatioInterval(c.feedforwardSpeedup, c.feedforwardSpeedupCiLow!, c.feedforwardSpeedupCiHigh!);
}

export const END_TO_END_HEADER = [
  'runtime',
  'tokens (sequences × length)',
  'feedforward vs dense',
  'tree layer',
  'dense layer',
  'end to end [95% CI]',
  'feedforward alone [95% CI]',
  'feedforward share of the dense layer',
  'Amdahl bound',
  'end to end / bound',
];

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

export const SPLIT_HEADER = [
  'runtime',
  'layer',
  'engines (threads)',
  'tokens',
  'layer median',
  ...ENCODER_PARTS.map((p) => PART_LABEL[p]),
  'sum of parts / whole (interleaved)',
  'data between engines',
];

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
  const moves = !e
    ? '—'
    : e.attentionOutputInPlace && e.feedforwardOutputInPlace
      ? 'in place'
      : [e.attentionOutputInPlace ? 'h in place' : 'h copied', e.feedforwardOutputInPlace ? 'output in place' : 'output copied'].join(', ');
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

/** The report's encoder section (tables and charts), or undefined when `files` hold no encoder layer, measured or not. */
export function buildEncoderSection(files: ResultsFile[]): EncoderSection | undefined {
  if (!files.some((f) => f.results.some((r) => r.model === 'encoder'))) return undefined;
  const layers = files.flatMap((f) =>
    f.results.filter((r) => r.model === 'encoder' && r.status === 'ok' && r.stats).map((result) => ({ machine: f.machine, result })),
  );
  return { points: encoderPoints(files), allPoints: encoderPoints(files, 'all'), layers };
}
