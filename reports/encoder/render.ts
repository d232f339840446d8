/**
 * The encoder layer's part of the report (data: section.ts, and the question: src/claims/encoder-question.ts) in each format: its row of the verdict
 * table and its section in summary.md, the page and the terminal.
 */
import type { ResultsFile } from '../../src/results/schema.ts';
import { loadClaims } from '../../src/claims/claims.ts';
import { encoderPoints, encoderQuestion, QUESTION, tokensPhrase, type EncoderQuestion } from '../../src/claims/encoder-question.ts';
import { END_TO_END_HEADER, endToEndRow, SPLIT_HEADER, splitRow, speedupText, type EncoderSection } from './section.ts';
import { formatPercent, formatRatio, formatThreads } from '../../src/text/format.ts';
import { esc, table as htmlTable } from '../render/html.ts';
import { markdownTable as mdTable } from '../../src/text/table.ts';
import { machineLabel } from '../../src/claims/measured.ts';

const LABEL = { measured: 'ℹ️ measured (not a claim)', 'not-measured': '⚪ not measured' } as const;

/** What the question compares, in words. */
const PAIRING = `UltraFastBERT's ${QUESTION.feedforward} against the 4095-wide dense layer (the 78x's own pairing), each the feedforward of a BERT-base encoder layer, end to end`;

/** The question's row of summary.md's verdict table (its columns: claim, verdict, configuration read, speedup, threads, where reached, hardware). */
export function questionRow(q: EncoderQuestion): string[] {
  const claim = `Not a paper claim — the question users ask: ${q.question} (${PAIRING})`;
  const p = q.read;
  if (!p) return [claim, LABEL[q.status], '—', `nothing measured; run ${QUESTION.command}`, '—', '—', '—', '—'];
  const c = p.comparison;
  const s = p.tree.shape;
  return [
    claim,
    LABEL[q.status],
    '—',
    `${tokensPhrase(p.tree)}, hidden ${s.inputDim}, ${s.encoder!.heads} heads; ${c.runtime} · ${c.treeBackend} vs ${c.denseBackend}`,
    `${speedupText(p)} end to end`,
    `${formatThreads(p.tree.backend.threads)} / ${formatThreads(p.dense.backend.threads)}`,
    `${formatPercent(c.speedup / q.claimed)} of the ${q.claimed}x${c.amdahlBound !== undefined ? `; Amdahl bound ${formatRatio(c.amdahlBound)}` : ''}`,
    machineLabel(p.machine),
  ];
}

/** The question's line under summary.md's verdict table. */
export function questionLine(q: EncoderQuestion): string {
  return `- **${q.question}** (${PAIRING}; not a claim, so no verdict): ${q.summary}`;
}

/** The question as a card beside the claims' on the page. */
export function questionCard(q: EncoderQuestion): string {
  const row = questionRow(q);
  const rows = q.read
    ? [
        ['configuration read', row[2]],
        ['speedup [95% CI]', row[3]],
        ['threads (tree layer / dense layer)', row[4]],
        ['of the claim', row[5]],
        ['machine', row[6]],
      ]
    : [['to measure it', QUESTION.command]];
  return `<article class="verdict question">
  <div class="badge">${q.status === 'measured' ? 'Measured (not a claim)' : 'Not measured'}</div>
  <h3>${esc(q.question)}</h3>
  <p class="source">${esc(PAIRING)}. See the encoder-layer section below and docs/encoder.md.</p>
  <p class="summary">${esc(q.summary)}</p>
  ${htmlTable(['', ''], rows, 'kv')}
</article>`;
}

/** The question for the terminal, after the claim verdicts. */
export function questionText(q: EncoderQuestion): string {
  return `  ${LABEL[q.status]} — ${q.question} (${PAIRING})\n      ${q.summary}`;
}

const EXPLANATION =
  "One encoder layer, post-LayerNorm as BERT's: h = LayerNorm(x + Attention(x)), y = LayerNorm(h + FFN(h)). A layer's time is one call, every copy between engines inside it. " +
  "Split: rounds of one whole call and one call with its parts timed (attention half, copies between engines, feedforward, final add and LayerNorm), medians; a dense layer's parts run as three graphs where its call is one, so their sum can exceed the whole. " +
  "Feedforward alone: the dense layer's feedforward part over the tree layer's, same run, same tokens (the layer-only speedup). " +
  "Amdahl bound: 1 / ((1 − f) + f / s), f the feedforward's share of the dense layer's split, s the feedforward alone: the end-to-end speedup if all but the feedforward ran as in the dense layer. See docs/encoder.md.";

function severalMachines(section: EncoderSection): boolean {
  return new Set(section.layers.map((l) => l.machine.id)).size > 1;
}

/** Distinct data paths, one line per runtime · backend. */
function dataPaths(section: EncoderSection): string[] {
  const seen = new Map<string, string>();
  for (const { result: r } of section.layers) if (r.encoder) seen.set(`${r.runtime.name} · ${r.backend.name}`, r.encoder.dataPath);
  return [...seen].map(([who, path]) => `${who}: ${path}`);
}

const TITLE = "Encoder layer: does the feedforward's speedup survive a whole layer?";

export function encoderMarkdown(section: EncoderSection): string {
  const several = severalMachines(section);
  const out = [`## ${TITLE}`, EXPLANATION];
  out.push('### End to end (the fastest tree backend of each configuration)');
  out.push(
    section.points.length > 0
      ? mdTable(
          END_TO_END_HEADER,
          section.points.map((p) => endToEndRow(p, several)),
          true,
        )
      : 'No tree layer and dense layer of one configuration were both measured.',
  );
  out.push(`### Split of each layer (medians; share of the sum of the parts)`);
  out.push(
    section.layers.length > 0
      ? mdTable(
          SPLIT_HEADER,
          section.layers.map((l) => splitRow(l, several)),
          true,
        )
      : 'No encoder layer was measured.',
  );
  const paths = dataPaths(section);
  if (paths.length > 0) out.push(`### What ran where\n${paths.map((p) => `- ${p}`).join('\n')}`);
  return out.join('\n\n');
}

export function encoderHtml(section: EncoderSection): string {
  const several = severalMachines(section);
  const paths = dataPaths(section);
  return `<section id="encoder"><h2>${esc(TITLE)}</h2><p>${esc(EXPLANATION)}</p>
<h3>End to end (the fastest tree backend of each configuration)</h3>${
    section.points.length > 0
      ? htmlTable(
          END_TO_END_HEADER,
          section.points.map((p) => endToEndRow(p, several)),
        )
      : '<p>No tree layer and dense layer of one configuration were both measured.</p>'
  }
<h3>Split of each layer (medians; share of the sum of the parts)</h3>${
    section.layers.length > 0
      ? htmlTable(
          SPLIT_HEADER,
          section.layers.map((l) => splitRow(l, several)),
        )
      : '<p>No encoder layer was measured.</p>'
  }
${paths.length > 0 ? `<h3>What ran where</h3><ul>${paths.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>` : ''}</section>`;
}

/** The question, answered from `files` (for the terminal and the report). */
export function questionOf(files: ResultsFile[]): EncoderQuestion {
  return encoderQuestion(encoderPoints(files), loadClaims());
}
