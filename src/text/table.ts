/**
 * One table model for every table fffbench writes: a header, rows of text cells and each column's
 * alignment. Each format supplies only its pieces (as hyperfine's markup formatters do): how a cell
 * is escaped, how a row is joined, the rule under the header, the frame around the lines, and
 * whether columns are padded to a common width. The terminal tables, Markdown (summary.md, compare
 * and ab in a job summary, export --format md), CSV (export) and the pages' HTML tables
 * (reports/render/html.ts) are all written by writeTable.
 */

export type Align = 'left' | 'right';

export interface Table {
  header: string[];
  rows: string[][];
  /** Each column's alignment (left where absent). */
  align?: (column: number) => Align;
}

/** A table of numbers: the first column (what the row is) left, the numbers right. */
export const numbersRight = (column: number): Align => (column === 0 ? 'left' : 'right');

export interface TableFormat {
  /** A cell's text as the format writes it (escaped, quoted). */
  cell(text: string): string;
  /** One row from its cells (padded first where the format pads). */
  row(cells: string[], isHeader: boolean): string;
  /** Pad every cell to its column's widest, on the side its alignment says (fixed-width text). */
  pad?: boolean;
  /** The line under the header row, if the format has one. */
  rule?(align: Align[]): string;
  /** The whole table from its header row and body rows; by default the rows (and the rule) one per line. */
  frame?(head: string, body: string[]): string;
}

export function writeTable(table: Table, format: TableFormat): string {
  const align = table.header.map((_, k) => table.align?.(k) ?? 'left');
  let cells = [table.header, ...table.rows].map((r) => r.map((c) => format.cell(c)));
  if (format.pad) {
    const widths = align.map((_, k) => Math.max(...cells.map((r) => (r[k] ?? '').length)));
    cells = cells.map((r) => r.map((c, k) => (align[k] === 'right' ? c.padStart(widths[k]) : c.padEnd(widths[k]))));
  }
  const [head, ...body] = cells.map((r, k) => format.row(r, k === 0));
  if (format.frame) return format.frame(head, body);
  return [head, ...(format.rule ? [format.rule(align)] : []), ...body].join('\n');
}

/** Fixed-width text for a terminal: columns padded and two spaces apart, each line after `indent`. */
export function textFormat(indent = ''): TableFormat {
  return { cell: (c) => c, pad: true, row: (cells) => `${indent}${cells.join('  ')}`.trimEnd() };
}

/** GitHub Markdown: "|" escaped (it would end the cell), a line break as <br> (it would end the row). */
export const MARKDOWN: TableFormat = {
  cell: (c) => c.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>'),
  row: (cells) => `| ${cells.join(' | ')} |`,
  rule: (align) => `| ${align.map((a) => (a === 'right' ? '---:' : '---')).join(' | ')} |`,
};

/** One CSV field per RFC 4180: quoted when it holds a comma, a quote or a line break, quotes doubled. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV (RFC 4180): a header record, then one record per row, each ended by CRLF. */
export const CSV: TableFormat = {
  cell: csvField,
  row: (cells) => cells.join(','),
  frame: (head, body) => [head, ...body].map((line) => `${line}\r\n`).join(''),
};

/** The columns padded for a terminal (first column left, the rest right: a table of numbers). */
export function textTable(header: string[], rows: string[][], indent = '', align: (column: number) => Align = numbersRight): string {
  return writeTable({ header, rows, align }, textFormat(indent));
}

/** A GitHub Markdown table; `numeric` right-aligns every column but the first. */
export function markdownTable(header: string[], rows: string[][], numeric = false): string {
  return writeTable({ header, rows, ...(numeric ? { align: numbersRight } : {}) }, MARKDOWN);
}
