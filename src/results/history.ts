/**
 * The result history: runs filed as DIR/<machine id>/<time>-<commit>-<suite>.json, so that runs of
 * different machines never mix. DIR is plain files (nightly CI keeps it in a git data branch);
 * `pruneHistory` keeps it small: the last N runs per machine and suite in full, older ones reduced
 * to per-case medians and intervals (what compare and the trend report read of old runs).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { loadResultsFile } from './load.ts';
import type { ResultsFile } from './schema.ts';

export interface HistoryEntry {
  path: string;
  file: ResultsFile;
}

function historyPath(dir: string, file: ResultsFile): string {
  const stamp = file.startedAt.replace(/[:.]/g, '-');
  const commit = file.git ? file.git.commit.slice(0, 8) + (file.git.dirty ? '-dirty' : '') : 'nogit';
  return join(dir, file.machine.id, `${stamp}-${commit}-${file.suite.name}.json`);
}

/** Files one run (or one machine of a merged bundle); returns where it went. */
export function fileResults(dir: string, file: ResultsFile): string {
  const target = historyPath(dir, file);
  mkdirSync(join(dir, file.machine.id), { recursive: true });
  writeFileSync(target, JSON.stringify(file));
  return target;
}

/** Every run filed under DIR, per machine id, oldest first (names start with the time). */
export function readHistory(dir: string): Map<string, HistoryEntry[]> {
  if (!existsSync(dir)) throw new UserError(`history directory ${dir} does not exist`);
  const machines = new Map<string, HistoryEntry[]>();
  for (const machine of readdirSync(dir, { withFileTypes: true })) {
    // a git checkout of the data branch has .git beside the machine folders
    if (!machine.isDirectory() || machine.name.startsWith('.')) continue;
    const entries = machineHistory(dir, machine.name);
    if (entries.length > 0) machines.set(machine.name, entries);
  }
  return machines;
}

/** The runs filed for one machine id, oldest first: only its folder is read. */
function machineHistory(dir: string, machineId: string): HistoryEntry[] {
  const folder = join(dir, machineId);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ path: join(folder, f), file: loadResultsFile(join(folder, f)) }));
}

/**
 * The last `count` runs of `suite` on `machineId` that started before `before` (the candidate's
 * start: a candidate filed already, or an older run looked at again, is never its own baseline).
 */
export function lastRuns(dir: string, machineId: string, suite: string, count: number, before: string): ResultsFile[] {
  if (!existsSync(dir)) throw new UserError(`history directory ${dir} does not exist`);
  const cutoff = Date.parse(before);
  return machineHistory(dir, machineId)
    .map((e) => e.file)
    .filter((f) => f.suite.name === suite && Date.parse(f.startedAt) < cutoff)
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))
    .slice(-count);
}

/** A run without its raw samples: each case keeps its median, quantiles and interval. */
export function reduceRun(file: ResultsFile, at = new Date().toISOString()): ResultsFile {
  if (file.reduced) return file;
  return {
    ...file,
    reduced: { at, note: 'raw samples dropped by history --prune; medians, quantiles and intervals kept' },
    results: file.results.map((r) => (r.stats ? { ...r, stats: { ...r.stats, samples: [] } } : r)),
  };
}

export interface PruneOutcome {
  kept: number;
  reduced: string[];
}

/** Keeps the last `keepFull` runs per machine and suite in full and reduces the older ones in place. */
export function pruneHistory(dir: string, keepFull: number): PruneOutcome {
  const outcome: PruneOutcome = { kept: 0, reduced: [] };
  for (const entries of readHistory(dir).values()) {
    const suites = new Map<string, HistoryEntry[]>();
    for (const e of entries) suites.set(e.file.suite.name, [...(suites.get(e.file.suite.name) ?? []), e]);
    for (const runs of suites.values()) {
      const older = runs.slice(0, Math.max(0, runs.length - keepFull));
      outcome.kept += runs.length - older.length;
      for (const { path, file } of older) {
        if (file.reduced) continue;
        writeFileSync(path, JSON.stringify(reduceRun(file)));
        outcome.reduced.push(path);
      }
    }
  }
  return outcome;
}
