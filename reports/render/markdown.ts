/** GitHub Markdown building blocks shared by summary.md (page/markdown.ts) and the trend summary (trend/markdown.ts). */

/** A table cell: a "|" would end the cell, a newline the row. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A GitHub table; `numeric` right-aligns every column but the first (for tables of numbers). */
export function table(header: string[], rows: string[][], numeric = false): string {
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map((_, k) => (numeric && k > 0 ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}
