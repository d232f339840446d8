/**
 * The papers' speed claims (paper-claims.json; not the `claims` suite, suites/claims.json, which
 * measures them): their schema, loading, and which measured shapes match a claim's setup. The only
 * home of the claim numbers; verdicts.ts judges them.
 *
 * src/claims/ is the judging: what was measured (measured.ts), the verdicts (verdicts.ts) with where
 * a claim is reached (reach.ts), its batch sweep (batches.ts) and what limits it (limit.ts), and
 * the encoder question (encoder-question.ts). It reads results files and returns plain data and
 * sentences; reports/ draws them.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { treeModelOf, type LayerShape } from '../model/shape.ts';
import type { SpeedupPair } from '../results/schema.ts';

const ClaimSchema = z.object({
  id: z.string(),
  statement: z.string(),
  claimedSpeedup: z.number().positive(),
  source: z.object({ paper: z.string(), arxiv: z.string(), location: z.string(), url: z.string() }),
  originalSetup: z.string(),
  /** What the paper measured on, in words, shown beside this machine so a CPU result is never read as a GPU reproduction. */
  claimHardware: z.string(),
  match: z.object({
    inputDim: z.number().int(),
    outputDim: z.number().int(),
    leafWidth: z.number().int(),
    batchSize: z.number().int(),
    depth: z.object({ from: z.number().int(), to: z.number().int() }),
    activation: z.enum(['relu', 'gelu']).optional(),
    /**
     * The tree the claim is about: "fff" (the original FFF; the default) or "ufb" (UltraFastBERT's
     * tree, measured on UltraFastBERT shapes against the 2^(d+1) − 1-wide dense layer).
     */
    model: z.enum(['fff', 'ufb']).optional(),
  }),
  /** The shipped suite that measures the claim's setup, or null when none does yet. */
  suite: z.string().nullable(),
  howToMeasure: z.string().optional(),
  caveat: z.string().optional(),
  /**
   * The papers' headline: drawn as a line on every speedup-against-width chart, labelled "paper: up
   * to <claimedSpeedup>x (<note>)". At most one claim has it.
   */
  headline: z.object({ note: z.string() }).optional(),
  /**
   * The axis the claim's card charts it on: the training width (a sweep of depths) unless it names
   * the batch size (UltraFastBERT's 78x is one depth, measured across batch sizes).
   */
  chartAxis: z.enum(['trainingWidth', 'batchSize']).optional(),
});

const BaselineRuleSchema = z.object({
  /**
   * A comparison is judged only when its dense result reaches at least this share of what the
   * machine allows there: of the runtime's best calibrated dense GEMM where compute-bound, of its
   * read bandwidth where memory-bound (its roofline multiple is at most 1 / share).
   */
  minDenseShareOfBest: z.number().gt(0).max(1),
});

const TreeRuleSchema = z.object({
  /**
   * A claim that is not reached is blamed on the tree's kernel ("kernel-limited") when the floors
   * allow it but the tree's median ran more than this multiple of its roofline floor: the tree's
   * counterpart of the baseline rule (a dense layer over 2x its floor is not judged at all).
   */
  maxFffFloorMultiple: z.number().min(1),
});

export const ClaimsFileSchema = z.object({
  closestConfigurationRule: z.string(),
  baselineRule: BaselineRuleSchema,
  treeRule: TreeRuleSchema,
  /** What limits a claim that is not reproduced, in words (printed under the verdicts; limits: limit.ts). */
  limitRule: z.string(),
  claims: z.array(ClaimSchema).refine((claims) => claims.filter((c) => c.headline).length <= 1, 'at most one claim is the headline'),
});

export type BaselineRule = z.infer<typeof BaselineRuleSchema>;
export type TreeRule = z.infer<typeof TreeRuleSchema>;
/** The two fairness rules a verdict applies: one per side of the comparison. */
export type JudgingRules = Pick<ClaimsFile, 'baselineRule' | 'treeRule'>;

export type Claim = z.infer<typeof ClaimSchema>;
export type ClaimsFile = z.infer<typeof ClaimsFileSchema>;

export const CLAIMS_PATH = new URL('./paper-claims.json', import.meta.url);

export function loadClaims(path: URL | string = CLAIMS_PATH): ClaimsFile {
  return ClaimsFileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** The claim drawn on the speedup charts (its `headline`), if one is. */
export function headlineClaim(claims: ClaimsFile): Claim | undefined {
  return claims.claims.find((c) => c.headline);
}

type Shape = SpeedupPair['shape'];

/** The axis the claim's card charts it on (its `chartAxis`, else the training width). */
export const claimChartAxis = (claim: Claim) => claim.chartAxis ?? 'trainingWidth';

/** The claim's tree model: "fff" unless its match names "ufb". */
export const claimModel = (claim: Claim) => claim.match.model ?? 'fff';

/** The layer the claim is about at one depth of its range (for the cost model's bound there). */
export function claimLayer(claim: Claim, depth: number): LayerShape {
  const m = claim.match;
  return {
    inputDim: m.inputDim,
    outputDim: m.outputDim,
    depth,
    leafWidth: m.leafWidth,
    activation: m.activation ?? 'relu',
    ...(claimModel(claim) === 'ufb' ? { tree: 'ufb' as const } : {}),
  };
}

export function matchesClaim(claim: Claim, shape: Shape): boolean {
  const m = claim.match;
  return (
    treeModelOf(shape) === claimModel(claim) &&
    shape.inputDim === m.inputDim &&
    shape.outputDim === m.outputDim &&
    shape.leafWidth === m.leafWidth &&
    shape.batchSize === m.batchSize &&
    shape.depth >= m.depth.from &&
    shape.depth <= m.depth.to &&
    (m.activation === undefined || shape.activation === m.activation)
  );
}

/** How far a shape is from the claim's setup: Σ |log2(measured / claimed)| + depth levels outside the range. */
export function configurationDistance(claim: Claim, shape: Shape): number {
  const m = claim.match;
  const log2Ratio = (a: number, b: number) => Math.abs(Math.log2(Math.max(a, 1) / Math.max(b, 1)));
  const depthOutside = Math.max(0, m.depth.from - shape.depth, shape.depth - m.depth.to);
  return (
    log2Ratio(shape.inputDim, m.inputDim) +
    log2Ratio(shape.outputDim, m.outputDim) +
    log2Ratio(shape.leafWidth, m.leafWidth) +
    log2Ratio(shape.batchSize, m.batchSize) +
    depthOutside +
    (m.activation !== undefined && shape.activation !== m.activation ? 1 : 0) +
    (treeModelOf(shape) !== claimModel(claim) ? 1 : 0)
  );
}

/** The fields where `shape` differs from the claim's setup, e.g. ["input 256 (claim 768)"]. */
export function mismatches(claim: Claim, shape: Shape): string[] {
  const m = claim.match;
  const out: string[] = [];
  if (shape.inputDim !== m.inputDim) out.push(`input ${shape.inputDim} (claim ${m.inputDim})`);
  if (shape.outputDim !== m.outputDim) out.push(`output ${shape.outputDim} (claim ${m.outputDim})`);
  if (shape.leafWidth !== m.leafWidth) out.push(`leaf width ${shape.leafWidth} (claim ${m.leafWidth})`);
  if (shape.batchSize !== m.batchSize) out.push(`batch ${shape.batchSize} (claim ${m.batchSize})`);
  if (shape.depth < m.depth.from || shape.depth > m.depth.to) out.push(`depth ${shape.depth} (claim ${depthRange(claim)})`);
  if (m.activation !== undefined && shape.activation !== m.activation) out.push(`activation ${shape.activation} (claim ${m.activation})`);
  if (treeModelOf(shape) !== claimModel(claim)) out.push(`model ${treeModelOf(shape)} (claim ${claimModel(claim)})`);
  return out;
}

export function depthRange(claim: Claim): string {
  const { from, to } = claim.match.depth;
  return from === to ? `${from}` : `${from}-${to}`;
}

export function setupText(claim: Claim): string {
  const m = claim.match;
  return `${claimModel(claim) === 'ufb' ? 'UltraFastBERT tree, ' : ''}i ${m.inputDim}, o ${m.outputDim}, ℓ ${m.leafWidth}, depth ${depthRange(claim)}, batch ${m.batchSize}${m.activation ? `, ${m.activation}` : ''}`;
}
