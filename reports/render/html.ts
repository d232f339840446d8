/** HTML building blocks shared by the report page (page/html.ts) and the trend page (trend/html.ts). */
import { writeTable, type TableFormat } from '../../src/text/table.ts';

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Text placed inside <script>: a "</script" in it would end the element early. */
export const scriptSafe = (s: string) => s.replace(/<\/(script)/gi, '<\\/$1');

/** The table model's HTML format (src/text/table.ts): cells escaped, the header in <thead>. */
export function htmlTableFormat(className = ''): TableFormat {
  return {
    cell: esc,
    row: (cells, isHeader) => `<tr>${cells.map((c) => (isHeader ? `<th>${c}</th>` : `<td>${c}</td>`)).join('')}</tr>`,
    frame: (head, body) => `<table class="${className}"><thead>${head}</thead><tbody>${body.join('')}</tbody></table>`,
  };
}

/** An HTML table of text cells (escaped here); className "kv" hides the header (key/value tables). */
export function table(header: string[], rows: string[][], className = ''): string {
  return writeTable({ header, rows }, htmlTableFormat(className));
}

/** The pages' stylesheet (inlined: the pages open from file:// with nothing beside them). */
export const STYLE = `
body { font: 15px/1.45 system-ui, 'Liberation Sans', 'DejaVu Sans', Arial, sans-serif; margin: 0 auto; max-width: 1500px; padding: 0 24px 48px; color: #1a1a1a; }
h1 { margin: 24px 0 4px; } h2 { margin-top: 40px; border-bottom: 2px solid #ddd; padding-bottom: 4px; } h3 { margin: 20px 0 4px; }
.lede { color: #444; margin: 0 0 8px; } .headline { font-size: 17px; font-weight: 600; margin: 8px 0; }
.verdicts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
.verdict { border: 1px solid #ccc; border-left: 8px solid #999; border-radius: 6px; padding: 10px 16px; background: #fafafa; }
.verdict.reproduced { border-left-color: #1e8e3e; } .verdict.not-reproduced { border-left-color: #d93025; } .verdict.not-judged { border-left-color: #e8a317; } .verdict.question { border-left-color: #1a73e8; }
.badge { display: inline-block; font-weight: bold; padding: 2px 10px; border-radius: 12px; color: #fff; background: #777; }
.reproduced .badge { background: #1e8e3e; } .not-reproduced .badge { background: #d93025; }
.badge.limit { background: #fff; color: #333; border: 1px solid #999; font-weight: 600; } .badge.limit.tree-kernel, .badge.limit.within-rules { border-color: #d93025; color: #a52714; }
.verdict .panels { grid-template-columns: 1fr; } .verdict .chart-box { height: 360px; } .verdict figure { background: #fff; }
.verdict h3 { margin: 8px 0 2px; font-size: 16px; } .source, .caveat { font-size: 13px; color: #555; } .summary { font-weight: 600; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; } th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; } table.kv thead { display: none; } table.kv td:first-child { color: #555; width: 38%; }
.subtitle { color: #555; margin: 0 0 6px; font-size: 13px; } .missing { color: #8a5a00; background: #fff6e0; padding: 6px 10px; border-radius: 4px; }
.panels { display: grid; gap: 12px; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); }
figure { margin: 0; border: 1px solid #eee; border-radius: 6px; padding: 8px; } figcaption { font-weight: 600; font-size: 13px; }
.chart-box { position: relative; height: 440px; } .png { margin: 2px 0 0; font-size: 12px; text-align: right; }
`;
