/** The claim verdicts as plain text: the first block `fffbench run` prints when a run ends. */
import { LIMIT_NAME, verdictLabel, verdictSentence } from './verdict-phrases.ts';
import type { Verdict } from './verdicts.ts';

export function renderVerdictsText(verdicts: Verdict[]): string {
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
  return lines.join('\n');
}
