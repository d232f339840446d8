/**
 * Which trends `report --history DIR` draws: every machine (or --machine ID) and every suite (or
 * --suite NAME) with at least two runs, one trend per machine and suite. Every way of asking for
 * nothing is a UserError that names what the history does hold.
 */
import { statSync } from 'node:fs';
import { UserError } from '../../src/errors.ts';
import { readHistory, type HistoryEntry } from '../../src/results/history.ts';
import { buildTrend, type Trend } from './model.ts';

export interface TrendRequest {
  historyDir: string;
  /** A machine id, or a prefix of exactly one. */
  machine?: string;
  suite?: string;
  /** Show only the last N runs (the comparisons still look at the runs before them). */
  last?: number;
}

export interface TrendSelection {
  trends: Trend[];
  /** Machine and suite pairs with a single run: named on the page, not drawn. */
  leftOut: string[];
}

function machineText(id: string, entries: HistoryEntry[]): string {
  return `${id} (${entries[entries.length - 1].file.machine.cpuModel})`;
}

function pickMachine(history: Map<string, HistoryEntry[]>, wanted: string, dir: string): string {
  if (history.has(wanted)) return wanted;
  const byPrefix = [...history.keys()].filter((id) => id.startsWith(wanted));
  if (byPrefix.length === 1) return byPrefix[0];
  const known = [...history].map(([id, entries]) => machineText(id, entries)).join(', ');
  if (byPrefix.length > 1) throw new UserError(`--machine ${wanted} matches several machines in ${dir}: ${byPrefix.join(', ')}; give more of the id`);
  throw new UserError(`no machine ${wanted} in the history ${dir}; the machines there are: ${known}`);
}

/** Runs per suite, ordered by when they started. */
function bySuite(entries: HistoryEntry[]): Map<string, HistoryEntry[]> {
  const suites = new Map<string, HistoryEntry[]>();
  for (const e of entries) suites.set(e.file.suite.name, [...(suites.get(e.file.suite.name) ?? []), e]);
  for (const runs of suites.values()) runs.sort((a, b) => a.file.startedAt.localeCompare(b.file.startedAt));
  return suites;
}

export function selectTrends(request: TrendRequest): TrendSelection {
  const dir = request.historyDir;
  if (request.last !== undefined && !(Number.isInteger(request.last) && request.last >= 2)) {
    throw new UserError(`--last must be a whole number of runs, at least 2 (a trend needs two runs); given ${request.last}`);
  }
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory() === false)
    throw new UserError(`--history ${dir} is a file; give the history directory (it holds one folder per machine id)`);
  const history = readHistory(dir);
  if (history.size === 0)
    throw new UserError(
      `no runs are filed in ${dir} (expected ${dir}/<machine id>/<time>-<commit>-<suite>.json, as "fffbench run --history ${dir}" files them)`,
    );
  const machines = request.machine ? [pickMachine(history, request.machine, dir)] : [...history.keys()];

  const pairs: { machine: string; suite: string; runs: HistoryEntry[] }[] = [];
  for (const machine of machines) {
    for (const [suite, runs] of bySuite(history.get(machine)!)) {
      if (!request.suite || suite === request.suite) pairs.push({ machine, suite, runs });
    }
  }
  if (pairs.length === 0) {
    const held = machines.map((m) => `${machineText(m, history.get(m)!)}: ${[...bySuite(history.get(m)!).keys()].join(', ')}`).join('; ');
    throw new UserError(`no runs of suite ${request.suite} in ${dir}${request.machine ? ` for machine ${machines[0]}` : ''}; the suites there are: ${held}`);
  }
  const drawable = pairs.filter((p) => p.runs.length >= 2);
  const leftOut = pairs
    .filter((p) => p.runs.length < 2)
    .map((p) => `suite ${p.suite} on ${machineText(p.machine, p.runs)}: a single run (${p.runs[0].path}), nothing to trend yet`);
  if (drawable.length === 0) {
    throw new UserError(
      `a trend needs at least 2 runs of one suite on one machine; ${dir} holds: ${pairs.map((p) => `${p.suite} on ${p.machine}: ${p.runs.length} run`).join('; ')}`,
    );
  }
  return { trends: drawable.map((p) => buildTrend(p.runs, request.last)), leftOut };
}
