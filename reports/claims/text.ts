/** The claim verdicts as plain text: the first block `fffbench run` prints when a run ends. */
import type { EncoderQuestion } from '../../src/claims/encoder-question.ts';
import { questionText } from '../encoder/render.ts';
import { LIMIT_NAME, verdictLabel, verdictSentence } from './phrases.ts';
import type { Verdict } from '../../src/claims/verdicts.ts';

/** The verdicts, then (given) the question that is not a claim: how much of the 78x reaches a whole layer (encoder/render.ts). */
export function renderVerdictsText(verdicts: Verdict[], question?: EncoderQuestion): string {
  const lines = ['Do the papers’ speedups hold on this machine?'];
  for (const v of verdicts) {
    const c = v.claim;
    const limit = v.limit ? ` · ${LIMIT_NAME[v.limit.kind]}` : '';
    lines.push(`  ${verdictLabel(v)}${limit} — ${c.claimedSpeedup}x: ${c.statement} (arXiv ${c.source.arxiv}, ${c.source.location})`);
    lines.push(`      ${verdictSentence(v)}`);
    if (v.reach) lines.push(`      ${v.reach.text}`);
    if (v.batches) lines.push(`      ${v.batches.text}`);
    lines.push(`      Claim measured on ${v.hardware.claim}; here: ${v.hardware.here}.`);
  }
  if (question) lines.push(questionText(question));
  return lines.join('\n');
}
