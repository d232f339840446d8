/** `fffbench history [DIR]`: the runs filed in a history directory, one block per machine. */
import { UserError } from '../src/errors.ts';
import { formatRatio } from '../reports/format.ts';
import { loadResultsFiles } from '../src/results/load.ts';
import { configuredHistoryDir, fileResults, readHistory } from './history.ts';

export const HISTORY_HELP = `Usage: fffbench history [DIR] [--add RESULTS.json ...]

Lists the runs filed with "run --history DIR" (default DIR: FFFBENCH_HISTORY, or "history" in
fffbench.config.json), grouped by machine: when, which commit, which suite, how many cases were
ok, and the best FFF speedup measured. --add files results (a merged bundle: each machine) first.`;

export function commandHistory(dirArg?: string, add: string[] = []): number {
  const dir = dirArg ?? configuredHistoryDir();
  if (!dir) throw new UserError('no history directory: give DIR, or set FFFBENCH_HISTORY, or "history" in fffbench.config.json');
  for (const path of add) for (const file of loadResultsFiles(path)) console.log(`filed: ${fileResults(dir, file)}`);
  const machines = readHistory(dir);
  if (machines.size === 0) {
    console.log(`no runs in ${dir}`);
    return 0;
  }
  for (const [id, entries] of machines) {
    const m = entries[entries.length - 1].file.machine;
    console.log(`machine ${id}: ${m.cpuModel}, ${m.cpuCores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB, ${m.os} (${entries.length} run${entries.length === 1 ? '' : 's'})`);
    for (const { file } of entries) {
      const ok = file.results.filter((r) => r.status === 'ok').length;
      const best = Math.max(...file.comparisons.map((c) => c.speedup));
      const commit = file.git ? file.git.commit.slice(0, 8) + (file.git.dirty ? '+' : ' ') : 'no git   ';
      console.log(`  ${file.startedAt}  ${commit} ${file.suite.name.padEnd(14)} ${String(ok).padStart(4)}/${file.results.length} ok  best speedup ${file.comparisons.length ? formatRatio(best) : '—'}`);
    }
  }
  return 0;
}
