/** The plain-text table printed at the end of `fffbench run`: one block per runtime and backend. */
import type { ResultsFile } from '../src/results/schema.ts';
import { formatPercent, formatRatio, formatShape, formatThreads, formatTime } from './format.ts';

function renderRows(rows: string[][]): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  return rows.map((r) => r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  ')).join('\n');
}

export function renderTable(file: ResultsFile): string {
  const byId = new Map(file.results.map((r) => [r.id, r]));
  const blocks: string[] = [];
  const groups = new Map<string, typeof file.comparisons>();
  for (const c of file.comparisons) {
    const key = `${c.runtime} · ${c.backend}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  for (const [key, comparisons] of groups) {
    const first = byId.get(comparisons[0].fffId)!;
    const header = `${key} (runtime ${first.runtime.version}, ${formatThreads(first.backend.threads)})`;
    const roofline = comparisons.some((c) => byId.get(c.fffId)!.roofline);
    const rows = [['shape', 'FFF median', 'dense median', 'speedup [95% CI]', 'theoretical', 'efficiency', ...(roofline ? ['FFF ×floor', 'dense ×floor'] : [])]];
    for (const c of comparisons) {
      const fff = byId.get(c.fffId)!.stats!;
      const dense = byId.get(c.denseId)!.stats!;
      const multiple = (id: string) => {
        const r = byId.get(id)!.roofline;
        return r ? `${r.multiple.toFixed(1)} (${r.bound === 'memory' ? 'mem' : 'flop'})` : '—';
      };
      rows.push([
        formatShape(c.shape),
        formatTime(fff.median),
        formatTime(dense.median),
        `${formatRatio(c.speedup)} [${formatRatio(c.speedupCiLow)}, ${formatRatio(c.speedupCiHigh)}]`,
        formatRatio(c.theoreticalSpeedup),
        formatPercent(c.efficiency),
        ...(roofline ? [multiple(c.fffId), multiple(c.denseId)] : []),
      ]);
    }
    const kernels = [first.backend.denseKernel && `dense: ${first.backend.denseKernel}`, first.backend.fffStrategy && `FFF: ${first.backend.fffStrategy}`].filter(Boolean).join('; ');
    blocks.push(`${header}\n${kernels ? `${kernels}\n` : ''}${renderRows(rows)}`);
  }
  const backends = new Set(file.results.map((r) => r.backend.name));
  for (const runtime of [...new Set((file.bestComparisons ?? []).map((c) => c.runtime))]) {
    if (backends.size < 2) break;
    const rows = [['shape', 'fastest FFF', 'fastest dense', 'speedup [95% CI]', 'theoretical', 'efficiency']];
    for (const c of file.bestComparisons!.filter((x) => x.runtime === runtime)) {
      rows.push([
        formatShape(c.shape),
        `${formatTime(byId.get(c.fffId)!.stats!.median)} ${c.fffBackend}`,
        `${formatTime(byId.get(c.denseId)!.stats!.median)} ${c.denseBackend}`,
        `${formatRatio(c.speedup)} [${formatRatio(c.speedupCiLow)}, ${formatRatio(c.speedupCiHigh)}]`,
        formatRatio(c.theoreticalSpeedup),
        formatPercent(c.efficiency),
      ]);
    }
    blocks.push(`${runtime} · fastest FFF against fastest dense, any backend (the fair machine-level speedup)\n${renderRows(rows)}`);
  }
  const notOk = file.results.filter((r) => r.status !== 'ok');
  if (notOk.length > 0) {
    const reasons = new Map<string, number>();
    for (const r of notOk) {
      const key = `${r.status}: ${r.reason ?? 'no reason given'}`;
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
    blocks.push(`Not measured (${notOk.length} of ${file.results.length} cases):\n${[...reasons].map(([reason, n]) => `  ${n} × ${reason}`).join('\n')}`);
  }
  const calibration = Object.entries(file.machine.calibration ?? {});
  if (calibration.length > 0) {
    const gb = (x: number) => `${(x / 1e9).toFixed(1)}`;
    const lines = calibration.map(([runtime, c]) => `  ${runtime}: read ${gb(c.readBandwidth)} GB/s, copy ${gb(c.copyBandwidth)} GB/s, peak ${gb(c.peakFlops)} GFLOP/s (${c.peakBackend}; ${Object.entries(c.gemmFlops).map(([b, f]) => `${b} ${gb(f)}`).join(', ')})${c.raisedBy ? `; raised to what this run achieved (${c.raisedBy.join('; ')})` : ''}`);
    blocks.push(`Machine limits (×floor = median / max(flops / peak, bytes / bandwidth)):\n${lines.join('\n')}`);
  }
  const counts = ['ok', 'skipped', 'failed', 'invalid'].map((s) => `${file.results.filter((r) => r.status === s).length} ${s}`).join(', ');
  blocks.push(`${file.results.length} cases: ${counts}`);
  return blocks.join('\n\n');
}
