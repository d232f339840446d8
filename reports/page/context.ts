/**
 * The non-chart content of a report, as plain data both the page and summary.md render: the speedup
 * tables, what ran where (machines, runtimes, backends and their kernels), how it was measured, and
 * every case that produced no measurement with its reason.
 */
import type { Machine, Result, ResultsFile } from '../../src/results/schema.ts';
import { formatThreads, MODEL_LABEL } from '../../src/text/format.ts';
import type { LoadedResults } from './load.ts';
import { machineLabel, nonGpuAdapter } from '../../src/claims/measured.ts';
import { limitsRows } from '../roofline-text.ts';
import { speedupCells, speedupTables, type SpeedupColumn } from '../speedup-rows.ts';

/** A speedup table (speedup-rows.ts) as the report shows it: a title, the kernels, and its cells as text. */
export interface SpeedupTableText {
  /** e.g. "node 20.20.2 · js 1 (1 thread) — suite quick" plus the machine when there are several. */
  title: string;
  kernels: string;
  header: string[];
  rows: string[][];
}

export interface TargetInfo {
  machine: string;
  runtime: string;
  backend: string;
  threads: number;
  denseKernel: string;
  fffStrategy: string;
  notes: string;
  /** A GPU backend on a CPU implementation (llvmpipe, SwiftShader, …) or an adapter that names nothing: its numbers are not a GPU's. */
  nonGpuAdapter?: 'software' | 'unidentified';
}

export interface NotMeasuredGroup {
  status: Result['status'];
  reason: string;
  count: number;
  examples: string[];
}

export interface SourceInfo {
  path: string;
  suite: string;
  suiteFile: string;
  startedAt: string;
  finishedAt: string;
  tool: string;
  git: string;
  seed: string;
  machine: Machine;
  measurement: [string, string][];
  counts: Record<Result['status'], number>;
}

export interface ReportContext {
  sources: SourceInfo[];
  machines: Machine[];
  targets: TargetInfo[];
  tables: SpeedupTableText[];
  notMeasured: NotMeasuredGroup[];
  /** Machine limits (roofline calibration), one row per machine and runtime; empty for files without one. */
  limits: string[][];
  /** Whether any speedup table has the roofline columns. */
  roofline: boolean;
}

type ResultWithExtras = Result & { backend: Result['backend'] & { adapter?: string } };

function measurementRows(m: ResultsFile['measurement']): [string, string][] {
  if (!m) return [['method', 'not recorded in this results file']];
  return [
    ['time per case', `at least ${m.minTimeMs} ms and ${m.minSamples} samples (at most ${m.maxSamples}), up to ${m.maxCaseTimeMs} ms`],
    ['warm-up', `${m.warmupSamples} samples discarded`],
    ['intervals', m.interval],
    ['outliers', m.outlierPolicy],
  ];
}

export function buildContext(loaded: LoadedResults[]): ReportContext {
  const severalMachines = new Set(loaded.map((l) => l.data.machine.id)).size > 1;
  const sources: SourceInfo[] = loaded.map(({ path, data }) => ({
    path,
    suite: data.suite.name,
    suiteFile: data.suite.file,
    startedAt: data.startedAt,
    finishedAt: data.finishedAt,
    tool: data.tool ? `${data.tool.name} ${data.tool.version}` : 'unknown',
    git: data.git ? `${data.git.commit.slice(0, 12)}${data.git.dirty ? ' (uncommitted changes)' : ''}` : 'unknown',
    seed: data.seed === undefined ? 'unknown' : String(data.seed),
    machine: data.machine,
    measurement: measurementRows(data.measurement),
    counts: {
      ok: data.results.filter((r) => r.status === 'ok').length,
      skipped: data.results.filter((r) => r.status === 'skipped').length,
      failed: data.results.filter((r) => r.status === 'failed').length,
      invalid: data.results.filter((r) => r.status === 'invalid').length,
    },
  }));

  const machines = [...new Map(loaded.map((l) => [l.data.machine.id, l.data.machine])).values()];

  const targets = new Map<string, TargetInfo>();
  for (const { data } of loaded) {
    for (const r of data.results as ResultWithExtras[]) {
      // one row per machine, runtime version and backend: two versions of a runtime are two rows
      const key = `${data.machine.id}/${r.runtime.name} ${r.runtime.version}/${r.backend.name}`;
      if (targets.has(key) && r.status !== 'ok') continue;
      const notes = [r.backend.adapter && `adapter: ${r.backend.adapter}`, r.backend.notes].filter(Boolean).join('; ');
      const nonGpu = nonGpuAdapter({ ...r.backend, notes });
      targets.set(key, {
        machine: machineLabel(data.machine),
        runtime: `${r.runtime.name} ${r.runtime.version}`,
        backend: `${r.backend.name} ${r.backend.version}`,
        // The most any case used: a multi-threaded backend runs its smallest cases on one thread.
        threads: Math.max(targets.get(key)?.threads ?? 0, r.backend.threads),
        denseKernel: r.backend.denseKernel ?? '—',
        // The tree strategies: the FFF's, and UltraFastBERT's where the backend runs it.
        fffStrategy: [r.backend.fffStrategy, r.backend.ufbStrategy && `${MODEL_LABEL.ufb}: ${r.backend.ufbStrategy}`].filter(Boolean).join('; ') || '—',
        notes: notes || '—',
        ...(nonGpu ? { nonGpuAdapter: nonGpu } : {}),
      });
    }
  }

  const tables: SpeedupTableText[] = [];
  let roofline = false;
  for (const { data } of loaded) {
    for (const t of speedupTables(data)) {
      const backend = t.backend!;
      roofline ||= t.roofline;
      // Roofline columns only where the run calibrated (older files have no floors).
      const columns: SpeedupColumn[] = [
        'shape',
        'trainingWidth',
        'fffMedian',
        'denseMedian',
        'speedup',
        'theoretical',
        ...(t.roofline ? (['rooflineSpeedup'] as const) : []),
        'efficiency',
        ...(t.roofline ? (['fffFloor', 'denseFloor'] as const) : []),
      ];
      tables.push({
        title: `${t.runtime.name} ${t.runtime.version} · ${backend.name} ${backend.version}${t.tree === 'ufb' ? ` · ${MODEL_LABEL.ufb}` : ''} (${formatThreads(backend.threads)}) — suite ${data.suite.name}${severalMachines ? ` — ${machineLabel(data.machine)}` : ''}`,
        kernels: t.kernels,
        ...speedupCells(columns, t.rows, t.tree),
      });
    }
  }

  const notMeasured = new Map<string, NotMeasuredGroup>();
  for (const { data } of loaded) {
    for (const r of data.results) {
      if (r.status === 'ok') continue;
      const reason = r.reason ?? 'no reason given';
      const key = `${r.status}\u0000${reason}`;
      const group = notMeasured.get(key) ?? { status: r.status, reason, count: 0, examples: [] };
      group.count += 1;
      if (group.examples.length < 3) group.examples.push(r.id);
      notMeasured.set(key, group);
    }
  }
  return {
    sources,
    machines,
    targets: [...targets.values()],
    tables,
    notMeasured: [...notMeasured.values()],
    limits: limitsRows(loaded.map((l) => ({ machine: l.data.machine, suite: l.data.suite.name }))),
    roofline,
  };
}
