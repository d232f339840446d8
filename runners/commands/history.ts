/** `fffbench history [DIR]`: files runs, prunes old ones, and lists what is filed, one block per machine. */
import { UserError } from '../../src/errors.ts';
import { formatRatio } from '../../src/text/format.ts';
import { fileResults, pruneHistory, readHistory } from '../../src/results/history.ts';
import { loadResultsFiles } from '../../src/results/load.ts';
import { configuredHistoryDir } from '../history-dir.ts';

/** Full runs kept per machine and suite by --prune without --keep: more than any --last window a nightly job uses. */
export const DEFAULT_KEEP_FULL = 30;

export const HISTORY_HELP = `Usage: fffbench history [DIR] [--add RESULTS.json ...] [--prune [--keep N]]

Lists the runs filed with "run --history DIR" (default DIR: FFFBENCH_HISTORY, or "history" in
fffbench.config.json), grouped by machine: when, which commit, which suite, how many cases were
ok, and the best FFF speedup measured.

Options:
  --add FILE    file these results first (a merged bundle: each machine under its own id)
  --prune       keep the last N runs per machine and suite in full; reduce older ones to per-case
                medians and intervals (raw samples dropped; compare and the trend report need no more)
  --keep N      full runs kept by --prune (default ${DEFAULT_KEEP_FULL})`;

export interface HistoryValues {
  dir?: string;
  add: string[];
  prune: boolean;
  keep?: string;
}

export function commandHistory(v: HistoryValues): number {
  const dir = v.dir ?? configuredHistoryDir();
  if (!dir) throw new UserError('no history directory: give DIR, or set FFFBENCH_HISTORY, or "history" in fffbench.config.json');
  if (v.keep !== undefined && !v.prune) throw new UserError('--keep goes with --prune');
  const keep = Number(v.keep ?? DEFAULT_KEEP_FULL);
  if (!Number.isInteger(keep) || keep < 1) throw new UserError(`--keep: expected a whole number of runs ≥ 1 (given: ${v.keep})`);
  for (const path of v.add) for (const file of loadResultsFiles(path)) console.log(`filed: ${fileResults(dir, file)}`);
  if (v.prune) {
    const { kept, reduced } = pruneHistory(dir, keep);
    console.log(
      `pruned: ${reduced.length} run${reduced.length === 1 ? '' : 's'} reduced to medians and intervals, ${kept} kept in full (the last ${keep} per machine and suite)`,
    );
  }
  const machines = readHistory(dir);
  if (machines.size === 0) {
    console.log(`no runs in ${dir}`);
    return 0;
  }
  for (const [id, entries] of machines) {
    const m = entries[entries.length - 1].file.machine;
    const cpu = m.cpu ? ` (${m.cpu.vendor} family ${m.cpu.family} model ${m.cpu.model} stepping ${m.cpu.stepping})` : '';
    console.log(
      `machine ${id}: ${m.cpuModel}${cpu}, ${m.cpuCores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB, ${m.os} (${entries.length} run${entries.length === 1 ? '' : 's'})`,
    );
    for (const { file } of entries) {
      const ok = file.results.filter((r) => r.status === 'ok').length;
      const best = Math.max(...file.comparisons.map((c) => c.speedup));
      const commit = file.git ? file.git.commit.slice(0, 8) + (file.git.dirty ? '+' : ' ') : 'no git   ';
      console.log(
        `  ${file.startedAt}  ${commit} ${file.suite.name.padEnd(14)} ${String(ok).padStart(4)}/${file.results.length} ok  best speedup ${file.comparisons.length ? formatRatio(best) : '—'}${file.reduced ? '  (reduced)' : ''}`,
      );
    }
  }
  return 0;
}
