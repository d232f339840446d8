/**
 * The speedup table, built once as plain data: one row per FFF/dense pair at a shape, rows grouped
 * into tables, and one catalogue of columns (each a header and how to write a row's cell). The CLI
 * table (run-table.ts), the report's tables (page/context.ts, drawn by the page and summary.md) and
 * `npm run perf` choose columns and lay the cells out; none of them builds rows of its own.
 */
import { shapeKey } from '../src/model/case.ts';
import { theoreticalSpeedup } from '../src/model/cost.ts';
import { treeModelOf, type TreeModel } from '../src/model/shape.ts';
import type { SpeedupPair, Result, ResultsFile } from '../src/results/schema.ts';
import { formatPercent, formatRatio, formatShape, formatTime, MODEL_LABEL } from '../src/text/format.ts';
import { measuredComparisons, rooflineSpeedup } from '../src/claims/measured.ts';
import { multipleText } from './roofline-text.ts';

/** One FFF/dense pair at one shape (on a UltraFastBERT shape, `fff` is UltraFastBERT's tree). */
export interface SpeedupRow {
  shape: Result['shape'];
  /** The pair's results: undefined where the file has none, without stats where the case did not measure. */
  fff?: Result;
  dense?: Result;
  /** The speedup, when both sides measured. */
  comparison?: SpeedupPair;
}

/**
 * Rows of one runtime · backend (its own pairs), or of one runtime (its fastest FFF against its
 * fastest dense, any backends); FFF shapes and UltraFastBERT shapes in tables of their own.
 */
export interface SpeedupTable {
  kind: 'per-backend' | 'best';
  /** The tree every row's shape pairs with its dense layer. */
  tree: TreeModel;
  runtime: Result['runtime'];
  /** A per-backend table's backend, as its first FFF result reports it (a best table has several). */
  backend?: Result['backend'];
  /** "dense: …; FFF: …", the backend's kernels for the table's models (per-backend tables; empty when the backend names none). */
  kernels: string;
  rows: SpeedupRow[];
  /** Whether any row has both roofline floors (runs that calibrated the machine). */
  roofline: boolean;
}

const hasFloors = (r: SpeedupRow) => Boolean(r.fff?.roofline && r.dense?.roofline);

/** The measured pairs of `file`, in file order, one table per runtime · backend (per-backend) or per runtime (best). */
export function speedupTables(file: ResultsFile, kind: 'per-backend' | 'best' = 'per-backend'): SpeedupTable[] {
  const tables = new Map<string, SpeedupRow[]>();
  for (const m of measuredComparisons([file], kind)) {
    const tree = treeModelOf(m.comparison.shape);
    const key = kind === 'best' ? `${m.comparison.runtime}/${tree}` : `${m.comparison.runtime}/${m.comparison.backend}/${tree}`;
    tables.set(key, [...(tables.get(key) ?? []), { shape: m.comparison.shape, fff: m.fff, dense: m.dense, comparison: m.comparison }]);
  }
  return [...tables.values()].map((rows) => {
    const { runtime, backend } = rows[0].fff!;
    const tree = treeModelOf(rows[0].shape);
    const roofline = rows.some(hasFloors);
    if (kind === 'best') return { kind, tree, runtime, kernels: '', rows, roofline };
    const strategy = tree === 'ufb' ? backend.ufbStrategy : backend.fffStrategy;
    const kernels = [backend.denseKernel && `dense: ${backend.denseKernel}`, strategy && `${MODEL_LABEL[tree]}: ${strategy}`].filter(Boolean).join('; ');
    return { kind, tree, runtime, backend, kernels, rows, roofline };
  });
}

/** Every backend's pair at each shape of `file` (shapes in file order), measured or not: what `npm run perf` prints. */
export function pairsByShape(file: ResultsFile): { shape: Result['shape']; rows: SpeedupRow[] }[] {
  const shapes = new Map<string, Map<string, SpeedupRow>>();
  const byFff = new Map(file.comparisons.map((c) => [c.treeId, c]));
  for (const r of file.results) {
    const pairs = shapes.get(shapeKey(r.shape)) ?? new Map<string, SpeedupRow>();
    const key = `${r.runtime.name}/${r.backend.name}`;
    const row = pairs.get(key) ?? { shape: r.shape };
    const side = r.model === 'dense' ? 'dense' : 'fff';
    if (!row[side]) {
      row[side] = r;
      if (side === 'fff' && byFff.has(r.id)) row.comparison = byFff.get(r.id);
    }
    pairs.set(key, row);
    shapes.set(shapeKey(r.shape), pairs);
  }
  // A speedup only where both sides measured (a file's comparisons should say so already).
  const measured = (r?: Result) => r?.status === 'ok' && r.stats;
  for (const pairs of shapes.values()) for (const row of pairs.values()) if (!measured(row.fff) || !measured(row.dense)) delete row.comparison;
  return [...shapes.values()].map((pairs) => ({ shape: [...pairs.values()][0].shape, rows: [...pairs.values()] }));
}

/** A dense result's throughput, GFLOP/s (two flops per multiply-add). */
export function gflops(r: Result): number {
  return (2 * r.cost.macsPerSample * r.shape.batchSize) / r.stats!.median;
}

/** A side's median, or why it has none (its status), or "—" when the file has no such result. */
const median = (r: Result | undefined) => (r?.stats ? formatTime(r.stats.median) : (r?.status ?? '—'));

interface Column {
  header: string;
  cell: (row: SpeedupRow) => string;
}

/** Every column a speedup table can show. */
export const SPEEDUP_COLUMNS = {
  shape: { header: 'shape', cell: (r) => formatShape(r.shape) },
  trainingWidth: { header: 'training width', cell: (r) => String(r.shape.trainingWidth) },
  backend: { header: 'backend', cell: (r) => (r.fff ?? r.dense)?.backend.name ?? '—' },
  fffMedian: { header: 'FFF median', cell: (r) => median(r.fff) },
  denseMedian: { header: 'dense median', cell: (r) => median(r.dense) },
  /** Best tables: the fastest FFF's median and backend. */
  fastestFff: { header: 'fastest FFF', cell: (r) => `${median(r.fff)} ${r.fff?.backend.name ?? ''}` },
  fastestDense: { header: 'fastest dense', cell: (r) => `${median(r.dense)} ${r.dense?.backend.name ?? ''}` },
  speedup: {
    header: 'speedup [95% CI]',
    cell: ({ comparison: c }) => (c ? `${formatRatio(c.speedup)} [${formatRatio(c.speedupCiLow)}, ${formatRatio(c.speedupCiHigh)}]` : '—'),
  },
  theoretical: { header: 'theoretical', cell: (r) => formatRatio(r.comparison?.theoreticalSpeedup ?? theoreticalSpeedup(r.shape)) },
  rooflineSpeedup: {
    header: 'roofline speedup',
    cell: (r) => formatRatio(rooflineSpeedup(r.fff?.roofline && r.dense?.roofline ? { fff: r.fff.roofline, dense: r.dense.roofline } : undefined) ?? NaN),
  },
  efficiency: { header: 'efficiency', cell: (r) => (r.comparison ? formatPercent(r.comparison.efficiency) : '—') },
  fffFloor: { header: 'FFF ×floor', cell: (r) => multipleText(r.fff?.roofline) },
  denseFloor: { header: 'dense ×floor', cell: (r) => multipleText(r.dense?.roofline) },
  denseGflops: { header: 'dense GFLOP/s', cell: (r) => (r.dense?.stats ? gflops(r.dense).toFixed(1) : '—') },
} satisfies Record<string, Column>;

export type SpeedupColumn = keyof typeof SPEEDUP_COLUMNS;

/**
 * The columns' headers and every row's cells, as text; the caller lays them out (padded text,
 * Markdown, HTML). In a table of UltraFastBERT shapes the tree side is named as such ("UltraFastBERT FFF median").
 */
export function speedupCells(columns: SpeedupColumn[], rows: SpeedupRow[], tree: TreeModel = 'fff'): { header: string[]; rows: string[][] } {
  const picked = columns.map((c) => SPEEDUP_COLUMNS[c] as Column);
  return { header: picked.map((c) => c.header.replace('FFF', MODEL_LABEL[tree])), rows: rows.map((row) => picked.map((c) => c.cell(row))) };
}
