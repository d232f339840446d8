/** `fffbench export`: results files as one flat table (CSV, JSON Lines or Markdown), one row per case. */
import { UserError } from '../../src/errors.ts';
import { EXPORT_COLUMNS, EXPORT_FORMATS, renderExport, type ClaimMark, type ClaimMarks, type ExportFormat } from '../../src/results/export.ts';
import { loadResultsFiles } from '../../src/results/load.ts';
import type { ResultsFile } from '../../src/results/schema.ts';
import { shownPoint } from '../../reports/claims/phrases.ts';
import { judgeClaims } from '../../src/claims/verdicts.ts';
import { writeFileAtomic } from '../write-atomic.ts';

/**
 * The claim verdicts, judged on each machine's files alone (as the report's machines-compared table
 * does), marked on the two cases of the comparison each reads.
 */
export function claimMarks(files: ResultsFile[]): ClaimMarks {
  const marks = new Map<string, ClaimMark[]>();
  const key = (machineId: string, startedAt: string, caseId: string) => `${machineId}\u0000${startedAt}\u0000${caseId}`;
  for (const machineId of new Set(files.map((f) => f.machine.id))) {
    for (const v of judgeClaims(files.filter((f) => f.machine.id === machineId))) {
      const p = shownPoint(v);
      if (!p) continue;
      const mark: ClaimMark = { claim: v.claim.id, verdict: v.status, limit: v.limit?.kind ?? null };
      for (const id of new Set([p.treeId, p.denseId])) {
        const k = key(p.machineId, p.startedAt, id);
        marks.set(k, [...(marks.get(k) ?? []), mark]);
      }
    }
  }
  return (file, result) => marks.get(key(file.machine.id, file.startedAt, result.id)) ?? [];
}

/** One line per column: its name and what it holds. */
function columnLines(): string {
  const width = Math.max(...EXPORT_COLUMNS.map((c) => c.name.length));
  return EXPORT_COLUMNS.map((c) => `  ${c.name.padEnd(width)}  ${c.description.replace(/`/g, '')}`).join('\n');
}

export const EXPORT_HELP = `Usage: fffbench export RESULTS.json [MORE.json ...] --format csv|jsonl|md [--out FILE]

Writes every case of every results file as one row (a bundle from "fffbench merge --allow-machines"
gives the rows of each of its machines) with the machine, the run, the measurement, the speedup
of the FFF/dense pair the case belongs to (on both the FFF row and the dense row of the pair), and
on the cases a claim verdict reads, the claim, its verdict and what limits it.

Options:
  --format F      csv (RFC 4180, header row, empty cell for a missing value), jsonl (one JSON object
                  per line, null for a missing value) or md (a Markdown table; fractions to 4
                  significant digits)
  -o, --out FILE  write to FILE instead of standard output
  -h, --help      this help

Columns (the same names, in this order, in every format):
${columnLines()}

Exit status: 0 done, 2 on bad input (a missing or invalid results file, an unknown --format).`;

export interface ExportValues {
  files: string[];
  format?: string;
  out?: string;
}

export function commandExport(v: ExportValues): number {
  if (v.format === undefined) throw new UserError(`export needs --format ${EXPORT_FORMATS.join('|')}`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(v.format)) throw new UserError(`--format: expected ${EXPORT_FORMATS.join(', ')} (given: ${v.format})`);
  if (v.files.length === 0) throw new UserError('export needs at least one results file');
  const files = v.files.flatMap(loadResultsFiles);
  const text = renderExport(files, v.format as ExportFormat, claimMarks(files));
  if (v.out === undefined) {
    // `fffbench export … | head`: a reader that stops early is not an error
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
    process.stdout.write(text);
    return 0;
  }
  try {
    writeFileAtomic(v.out, text);
  } catch (err) {
    throw new UserError(`--out ${v.out}: cannot write: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const rows = files.reduce((n, f) => n + f.results.length, 0);
  console.log(`exported ${rows} row${rows === 1 ? '' : 's'} from ${files.length} run${files.length === 1 ? '' : 's'} (${v.format}): ${v.out}`);
  return 0;
}
