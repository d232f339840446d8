/**
 * The run journal: one JSON line per finished case, appended (synchronously) as it arrives, so a
 * run interrupted by Ctrl-C or killed outright keeps every finished case; `run --resume JOURNAL`
 * completes the rest. The first line records what the run was, so the resume needs nothing else.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { UserError } from '../src/errors.ts';
import type { Result, ResultsFile } from '../src/results/schema.ts';

export interface JournalHeader {
  type: 'header';
  journalVersion: 1;
  suiteFile: string;
  runtimes?: string[];
  backends?: string[];
  shard?: string;
  out: string;
  caseTimeoutMs: number;
  startedAt: string;
  git?: ResultsFile['git'];
}

export function journalPathFor(out: string): string {
  return `${out}.journal`;
}

export function startJournal(path: string, header: JournalHeader): void {
  writeFileSync(path, `${JSON.stringify(header)}\n`);
}

export function appendResult(path: string, result: Result): void {
  appendFileSync(path, `${JSON.stringify({ type: 'result', result })}\n`);
}

/** Reads a journal; a last line cut off by a kill is ignored (its case simply runs again). */
export function readJournal(path: string): { header: JournalHeader; results: Result[] } {
  if (!existsSync(path)) throw new UserError(`--resume: no journal at ${path}`);
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  let header: JournalHeader | undefined;
  const results = new Map<string, Result>();
  lines.forEach((line, k) => {
    let entry: { type?: string; result?: Result };
    try {
      entry = JSON.parse(line);
    } catch {
      if (k === lines.length - 1) return; // torn final write
      throw new UserError(`${path}: line ${k + 1} is not JSON; not an fffbench journal?`);
    }
    if (k === 0) {
      if (entry.type !== 'header' || (entry as JournalHeader).journalVersion !== 1) throw new UserError(`${path}: not an fffbench journal (no header line)`);
      header = entry as JournalHeader;
    } else if (entry.type === 'result' && entry.result) {
      results.set(entry.result.id, entry.result);
    }
  });
  if (!header) throw new UserError(`${path}: empty journal`);
  return { header, results: [...results.values()] };
}
