/**
 * The plain-text table printed at the end of `fffbench run`: one block per runtime and backend, then
 * the fastest FFF against the fastest dense per runtime (rows and cells from speedup-rows.ts), laid
 * out by the table model's terminal format (src/text/table.ts).
 */
import type { ResultsFile } from '../src/results/schema.ts';
import { QUESTION } from '../src/claims/encoder-question.ts';
import { buildEncoderSection, END_TO_END_HEADER, endToEndRow, SPLIT_HEADER, splitRow } from './encoder/section.ts';
import { formatReadBandwidth, formatThreads, MODEL_LABEL } from '../src/text/format.ts';
import { speedupCells, speedupTables, type SpeedupColumn } from './speedup-rows.ts';
import { textTable } from '../src/text/table.ts';

const PER_BACKEND: SpeedupColumn[] = ['shape', 'fffMedian', 'denseMedian', 'speedup', 'theoretical', 'efficiency'];
const ROOFLINE: SpeedupColumn[] = ['fffFloor', 'denseFloor'];
const BEST: SpeedupColumn[] = ['shape', 'fastestFff', 'fastestDense', 'speedup', 'theoretical', 'efficiency'];

export function renderTable(file: ResultsFile): string {
  const blocks: string[] = [];
  for (const t of speedupTables(file)) {
    const ufb = t.tree === 'ufb' ? ` · ${MODEL_LABEL.ufb}` : '';
    const header = `${t.runtime.name} · ${t.backend!.name}${ufb} (runtime ${t.runtime.version}, ${formatThreads(t.backend!.threads)})`;
    const { header: columns, rows } = speedupCells([...PER_BACKEND, ...(t.roofline ? ROOFLINE : [])], t.rows, t.tree);
    blocks.push(`${header}\n${t.kernels ? `${t.kernels}\n` : ''}${textTable(columns, rows)}`);
  }
  // The machine-level speedup is a table of its own only when there were backends to choose between.
  if (new Set(file.results.map((r) => r.backend.name)).size >= 2) {
    for (const t of speedupTables(file, 'best')) {
      const { header: columns, rows } = speedupCells(BEST, t.rows, t.tree);
      blocks.push(
        `${t.runtime.name} · fastest ${MODEL_LABEL[t.tree]} against fastest dense, any backend (the fair machine-level speedup)\n${textTable(columns, rows)}`,
      );
    }
  }
  const encoder = encoderText(file);
  if (encoder) blocks.push(encoder);
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
    const lines = calibration.map(
      ([runtime, c]) =>
        `  ${runtime}: read ${formatReadBandwidth(c)}, copy ${gb(c.copyBandwidth)} GB/s, peak ${gb(c.peakFlops)} GFLOP/s (${c.peakBackend}; ${Object.entries(
          c.gemmFlops,
        )
          .map(([b, f]) => `${b} ${gb(f)}`)
          .join(', ')})${c.raisedBy ? `; raised to what this run achieved (${c.raisedBy.join('; ')})` : ''}`,
    );
    blocks.push(`Machine limits (×floor = median / max(flops / peak, bytes / bandwidth)):\n${lines.join('\n')}`);
  }
  const counts = ['ok', 'skipped', 'failed', 'invalid'].map((s) => `${file.results.filter((r) => r.status === s).length} ${s}`).join(', ');
  blocks.push(`${file.results.length} cases: ${counts}`);
  return blocks.join('\n\n');
}

/** The encoder layers' blocks (encoder/section.ts), or undefined when the file has none. */
function encoderText(file: ResultsFile): string | undefined {
  const section = buildEncoderSection([file]);
  if (!section) return undefined;
  const blocks: string[] = [];
  if (section.points.length > 0)
    blocks.push(
      `Encoder layers end to end (the fastest tree backend of each configuration; ${QUESTION.command} adds the charts)\n${textTable(
        END_TO_END_HEADER,
        section.points.map((p) => endToEndRow(p, false)),
      )}`,
    );
  // the data path in words is too long for a terminal column: the report has it
  if (section.layers.length > 0)
    blocks.push(
      `Encoder layers' split (medians; share of the sum of the parts)\n${textTable(
        SPLIT_HEADER.slice(0, -1),
        section.layers.map((l) => splitRow(l, false).slice(0, -1)),
      )}`,
    );
  return blocks.length > 0 ? blocks.join('\n\n') : undefined;
}
