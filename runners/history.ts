/**
 * Result history: runs filed as DIR/<machine id>/<time>-<commit>-<suite>.json, so that runs of
 * different machines never mix. The directory comes from --history, else FFFBENCH_HISTORY, else
 * "history" in fffbench.config.json at the project root.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../src/errors.ts';
import { loadResultsFile } from '../src/results/load.ts';
import type { ResultsFile } from '../src/results/schema.ts';
import { ROOT } from './runtimes.ts';

export function configuredHistoryDir(): string | undefined {
  if (process.env.FFFBENCH_HISTORY) return resolve(process.env.FFFBENCH_HISTORY);
  const config = join(ROOT, 'fffbench.config.json');
  if (!existsSync(config)) return undefined;
  let parsed: { history?: unknown };
  try {
    parsed = JSON.parse(readFileSync(config, 'utf8'));
  } catch (err) {
    throw new UserError(`${config}: not valid JSON: ${(err as Error).message}`);
  }
  if (parsed.history === undefined) return undefined;
  if (typeof parsed.history !== 'string') throw new UserError(`${config}: history: expected a directory path (given: ${JSON.stringify(parsed.history)})`);
  return resolve(ROOT, parsed.history);
}

function historyPath(dir: string, file: ResultsFile): string {
  const machineDir = join(dir, file.machine.id);
  mkdirSync(machineDir, { recursive: true });
  const stamp = file.startedAt.replace(/[:.]/g, '-');
  const commit = file.git ? file.git.commit.slice(0, 8) + (file.git.dirty ? '-dirty' : '') : 'nogit';
  return join(machineDir, `${stamp}-${commit}-${file.suite.name}.json`);
}

/** Files a finished run; returns where it went. */
export function fileRun(dir: string, resultsPath: string, file: ResultsFile): string {
  const target = historyPath(dir, file);
  copyFileSync(resultsPath, target);
  return target;
}

/** Files results that are not in a file of their own (each machine of a merged bundle). */
export function fileResults(dir: string, file: ResultsFile): string {
  const target = historyPath(dir, file);
  writeFileSync(target, JSON.stringify(file));
  return target;
}

export interface HistoryEntry {
  path: string;
  file: ResultsFile;
}

/** Every run filed under DIR, per machine id, oldest first. */
export function readHistory(dir: string): Map<string, HistoryEntry[]> {
  if (!existsSync(dir)) throw new UserError(`history directory ${dir} does not exist`);
  const machines = new Map<string, HistoryEntry[]>();
  for (const machine of readdirSync(dir, { withFileTypes: true })) {
    if (!machine.isDirectory()) continue;
    const entries = readdirSync(join(dir, machine.name))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => ({ path: join(dir, machine.name, f), file: loadResultsFile(join(dir, machine.name, f)) }));
    if (entries.length > 0) machines.set(machine.name, entries);
  }
  return machines;
}

/** The last `count` runs of `suite` on `machineId`, excluding the run at `excludePath`. */
export function lastRuns(dir: string, machineId: string, suite: string, count: number, excludeStartedAt?: string): ResultsFile[] {
  const entries = readHistory(dir).get(machineId) ?? [];
  return entries
    .map((e) => e.file)
    .filter((f) => f.suite.name === suite && f.startedAt !== excludeStartedAt)
    .slice(-count);
}
