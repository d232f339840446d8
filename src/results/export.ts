/**
 * A flat view of results files: one row per case, with its machine, run, measurement and the
 * speedup of the FFF/dense pair it belongs to (`fffbench export`). The columns are defined once,
 * in EXPORT_COLUMNS; the CSV header, the JSONL keys, the Markdown table and docs/results.md's column
 * table (exportColumnsMarkdown) are all generated from that list, so they cannot drift apart.
 * Column names are a contract like the results file's field names: add columns freely, rename none.
 */
import { CSV, markdownTable, writeTable } from '../text/table.ts';
import { methodVersionOf } from './method.ts';
import type { Result, ResultsFile, SpeedupPair } from './schema.ts';

/** One cell: a missing value is null (an empty CSV cell, JSON null, an empty Markdown cell). */
export type Cell = string | number | boolean | null;

/**
 * A claim verdict that reads a case (the comparison of fastest tree against fastest dense it
 * rests on), as plain text: judging (src/claims/) reads results files, so it sits above them and
 * the caller brings it (runners/commands/export.ts).
 */
export interface ClaimMark {
  /** The claim's id in src/claims/paper-claims.json. */
  claim: string;
  /** reproduced, not-reproduced or not-judged. */
  verdict: string;
  /** What limits it (hardware, unmeasured-depths, tree-kernel, within-rules, unknown), or null. */
  limit: string | null;
}

/** The claim verdicts reading a case of a results file (none for most cases). */
export type ClaimMarks = (file: ResultsFile, result: Result) => ClaimMark[];

/** What a column reads: one case of one results file, its FFF/dense pair where it has one, and the verdicts reading it. */
export interface ExportRowSource {
  file: ResultsFile;
  result: Result;
  pair?: SpeedupPair;
  claims?: ClaimMark[];
}

export interface ExportColumn {
  /** Stable snake_case name: the CSV header, the JSONL key, the Markdown header. */
  name: string;
  /** How the cell is read from the case. */
  read: (row: ExportRowSource) => Cell;
  /** One line for the column table (docs/results.md, `fffbench export --help`). */
  description: string;
}

const opt = <T extends Cell>(value: T | undefined): T | null => (value === undefined ? null : value);
/** One field of the claim verdicts reading a case, several joined by "; " (the claims' setups do not overlap, so it is one at most). */
const claimCell = (r: ExportRowSource, field: keyof ClaimMark): string | null => {
  const values = (r.claims ?? []).map((c) => c[field] ?? '');
  return values.length > 0 && values.some((v) => v !== '') ? values.join('; ') : null;
};

export const EXPORT_COLUMNS: readonly ExportColumn[] = [
  { name: 'machine_id', read: (r) => r.file.machine.id, description: 'machine fingerprint (`machine.id`): CPU identity, cores, memory, OS type' },
  { name: 'cpu_model', read: (r) => r.file.machine.cpuModel, description: 'CPU model string as the OS reports it' },
  { name: 'cpu_cores', read: (r) => r.file.machine.cpuCores, description: 'logical CPU cores' },
  { name: 'memory_gib', read: (r) => Math.round((r.file.machine.memoryBytes / 2 ** 30) * 100) / 100, description: 'total memory, GiB (2 decimals)' },
  { name: 'os', read: (r) => r.file.machine.os, description: 'operating system and release' },
  { name: 'arch', read: (r) => r.file.machine.arch, description: 'CPU architecture (x64, arm64, ...)' },
  {
    name: 'cpu_vendor',
    read: (r) => opt(r.file.machine.cpu?.vendor),
    description: 'CPU vendor (`machine.cpu`; empty in files written before it was recorded)',
  },
  { name: 'cpu_family', read: (r) => opt(r.file.machine.cpu?.family), description: 'CPU family (x86 `cpu family`, Arm architecture)' },
  { name: 'cpu_model_number', read: (r) => opt(r.file.machine.cpu?.model), description: 'CPU model number (x86 `model`, Arm CPU part)' },
  { name: 'cpu_stepping', read: (r) => opt(r.file.machine.cpu?.stepping), description: 'CPU stepping (Arm: revision)' },
  { name: 'suite', read: (r) => r.file.suite.name, description: 'suite name' },
  { name: 'started_at', read: (r) => r.file.startedAt, description: 'when the run started (ISO 8601)' },
  { name: 'git_commit', read: (r) => opt(r.file.git?.commit), description: 'commit of fffbench the run was made with' },
  {
    name: 'method_version',
    read: (r) => methodVersionOf(r.file),
    description: 'measurement method version (src/results/method.ts; inferred for files from before it was recorded)',
  },
  { name: 'case_id', read: (r) => r.result.id, description: 'the case: runtime/backend/model/shape key' },
  {
    name: 'runtime',
    read: (r) => r.result.runtime.name,
    description:
      'JavaScript runtime as the suite named it (part of case_id): node (the pinned Active LTS Node), node@N (another pinned Node line), deno or bun',
  },
  { name: 'runtime_version', read: (r) => r.result.runtime.version, description: 'the exact version that ran' },
  { name: 'backend', read: (r) => r.result.backend.name, description: 'backend (js, wasm, ort-node, ...)' },
  { name: 'backend_version', read: (r) => r.result.backend.version, description: 'backend version' },
  { name: 'threads', read: (r) => r.result.backend.threads, description: 'threads the backend ran on' },
  {
    name: 'kernel_build',
    read: (r) => opt(r.result.backend.kernelBuild),
    description: "the build of the backend's kernels that ran, where it has several (wasm, wasm-mt: relaxed or plain SIMD)",
  },
  {
    name: 'model',
    read: (r) => r.result.model,
    description: "fff (the FFF), ufb (UltraFastBERT's tree), dense, or encoder (a whole encoder layer: its feedforward and sizes are in case_id)",
  },
  { name: 'input_dim', read: (r) => r.result.shape.inputDim, description: 'input width i' },
  { name: 'output_dim', read: (r) => r.result.shape.outputDim, description: 'output width o' },
  { name: 'depth', read: (r) => r.result.shape.depth, description: 'tree depth d (FFF: 2^d leaves; ufb: d + 1 levels of nodes)' },
  { name: 'leaf_width', read: (r) => r.result.shape.leafWidth, description: 'neurons per leaf ℓ' },
  { name: 'training_width', read: (r) => r.result.shape.trainingWidth, description: "the dense layer's hidden width: 2^d·ℓ, or 2^(d+1) − 1 on a ufb shape" },
  { name: 'batch_size', read: (r) => r.result.shape.batchSize, description: 'samples per call' },
  { name: 'activation', read: (r) => r.result.shape.activation, description: 'relu or gelu' },
  {
    name: 'tree',
    read: (r) => r.result.shape.tree ?? 'fff',
    description: "the tree the shape pairs with its dense layer: fff, or ufb (UltraFastBERT's; its dense layer has no biases)",
  },
  {
    name: 'encoder',
    read: (r) => {
      const e = r.result.shape.encoder;
      return e ? `s${e.seqLen}-a${e.heads}${e.trees === undefined ? '' : `-k${e.trees}`}` : '';
    },
    description:
      "encoder layers: sequence length, heads and trees summed, e.g. s128-a12-k1 (batch_size counts sequences; a dense feedforward's width is training_width); empty for a layer",
  },
  { name: 'status', read: (r) => r.result.status, description: 'ok, skipped, failed or invalid' },
  { name: 'reason', read: (r) => opt(r.result.reason), description: 'why the case was skipped, failed or invalid' },
  { name: 'median_ns', read: (r) => opt(r.result.stats?.median), description: 'median time per call, ns' },
  { name: 'ci_low_ns', read: (r) => opt(r.result.stats?.ciLow), description: "lower end of the median's 95% interval, ns" },
  { name: 'ci_high_ns', read: (r) => opt(r.result.stats?.ciHigh), description: "upper end of the median's 95% interval, ns" },
  { name: 'samples', read: (r) => opt(r.result.stats?.n), description: 'timed calls the statistics come from' },
  {
    name: 'floor_multiple',
    read: (r) => opt(r.result.roofline?.multiple),
    description: "median as a multiple of the roofline floor (1 = this machine's limit)",
  },
  { name: 'floor_bound', read: (r) => opt(r.result.roofline?.bound), description: 'which limit sets the floor: compute or memory' },
  {
    name: 'speedup',
    read: (r) => opt(r.pair?.speedup),
    description: 'dense median / tree (FFF or ufb) median of the pair this case belongs to (same runtime, backend, shape); on both rows of the pair',
  },
  { name: 'speedup_ci_low', read: (r) => opt(r.pair?.speedupCiLow), description: "lower end of the speedup's 95% bootstrap interval" },
  { name: 'speedup_ci_high', read: (r) => opt(r.pair?.speedupCiHigh), description: "upper end of the speedup's 95% bootstrap interval" },
  {
    name: 'theoretical_speedup',
    read: (r) => opt(r.pair?.theoreticalSpeedup),
    description: "multiply-adds of the dense layer over the tree's: 2^d·ℓ·(i+o) / (d·i + ℓ·(i+o)), or (2^(d+1) − 1) / (d + 1) on a ufb shape",
  },
  {
    name: 'claim',
    read: (r) => claimCell(r, 'claim'),
    description:
      "the claim (`src/claims/paper-claims.json` id) whose verdict reads this case — the fastest tree or the fastest dense of the comparison it rests on — judged on this machine's files alone; empty on other cases",
  },
  { name: 'claim_verdict', read: (r) => claimCell(r, 'verdict'), description: 'that verdict: reproduced, not-reproduced or not-judged' },
  {
    name: 'claim_limit',
    read: (r) => claimCell(r, 'limit'),
    description:
      "what limits it: hardware (the roofline floors allow less than the claim), unmeasured-depths (they do at the depths measured, short of the end of the claim's range), tree-kernel (they allow it; the tree ran further above its floor than `treeRule` allows), within-rules (they allow it; both kernels within their rules), unknown (no floors); empty when reproduced, and on a verdict not judged unless the floors alone say hardware or unknown",
  },
];

export const EXPORT_FORMATS = ['csv', 'jsonl', 'md'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Every case of every file, in file order, each with the FFF/dense pair (`comparisons`) it is part of and the verdicts reading it. */
export function exportRows(files: ResultsFile[], claimMarks?: ClaimMarks): ExportRowSource[] {
  const rows: ExportRowSource[] = [];
  for (const file of files) {
    const pairOf = new Map<string, SpeedupPair>();
    for (const pair of file.comparisons) {
      if (!pairOf.has(pair.treeId)) pairOf.set(pair.treeId, pair);
      if (!pairOf.has(pair.denseId)) pairOf.set(pair.denseId, pair);
    }
    for (const result of file.results) rows.push({ file, result, pair: pairOf.get(result.id), ...(claimMarks ? { claims: claimMarks(file, result) } : {}) });
  }
  return rows;
}

/** The cells of one row, in column order. */
export function rowCells(row: ExportRowSource): Cell[] {
  return EXPORT_COLUMNS.map((c) => {
    const value = c.read(row);
    return typeof value === 'number' && !Number.isFinite(value) ? null : value;
  });
}

/** A cell as text: a missing value is an empty cell. */
const cellText = (cell: Cell): string => (cell === null ? '' : String(cell));

export function toCsv(rows: ExportRowSource[]): string {
  return writeTable({ header: EXPORT_COLUMNS.map((c) => c.name), rows: rows.map((r) => rowCells(r).map(cellText)) }, CSV);
}

export function toJsonl(rows: ExportRowSource[]): string {
  return rows
    .map((r) => {
      const cells = rowCells(r);
      return `${JSON.stringify(Object.fromEntries(EXPORT_COLUMNS.map((c, k) => [c.name, cells[k]])))}\n`;
    })
    .join('');
}

/** A Markdown cell: fractions to 4 significant digits (the table escapes the rest). */
const mdCell = (cell: Cell): string => (typeof cell === 'number' && !Number.isInteger(cell) ? String(Number(cell.toPrecision(4))) : cellText(cell));

export function toMarkdown(rows: ExportRowSource[]): string {
  return `${markdownTable(
    EXPORT_COLUMNS.map((c) => c.name),
    rows.map((r) => rowCells(r).map(mdCell)),
  )}\n`;
}

export function renderExport(files: ResultsFile[], format: ExportFormat, claimMarks?: ClaimMarks): string {
  const rows = exportRows(files, claimMarks);
  if (format === 'csv') return toCsv(rows);
  if (format === 'jsonl') return toJsonl(rows);
  return toMarkdown(rows);
}

/** The column table for docs/results.md and the verb's help: name and description, generated from EXPORT_COLUMNS. */
export function exportColumnsMarkdown(): string {
  return `${markdownTable(
    ['column', 'meaning'],
    EXPORT_COLUMNS.map((c) => [`\`${c.name}\``, c.description]),
  )}\n`;
}
