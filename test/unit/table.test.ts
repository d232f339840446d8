/** The table model (src/text/table.ts): one table, written by each format from the same header, rows and alignment. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { table as htmlTable } from '../../reports/render/html.ts';
import { CSV, markdownTable, numbersRight, textTable, writeTable } from '../../src/text/table.ts';

const HEADER = ['case', 'median', 'speedup'];
const ROWS = [
  ['fff d12', '2.10 ms', '3.40x'],
  ['dense | wide', '710 µs', '12.0x'],
];

test('terminal: columns padded to the widest cell, the numbers right-aligned, no trailing blanks', () => {
  assert.equal(textTable(HEADER, ROWS), ['case           median  speedup', 'fff d12       2.10 ms    3.40x', 'dense | wide   710 µs    12.0x'].join('\n'));
  assert.equal(
    textTable(['a', 'b'], [['xx', 'y']], '  ', () => 'left'),
    '  a   b\n  xx  y',
  );
});

test('Markdown: "|" escaped, a line break as <br>, the rule saying which columns are right-aligned', () => {
  assert.equal(
    markdownTable(HEADER, [...ROWS, ['two\nlines', '1 ns', '—']], true),
    [
      '| case | median | speedup |',
      '| --- | ---: | ---: |',
      '| fff d12 | 2.10 ms | 3.40x |',
      '| dense \\| wide | 710 µs | 12.0x |',
      '| two<br>lines | 1 ns | — |',
    ].join('\n'),
  );
  assert.match(markdownTable(['a'], [['b']]), /^\| a \|\n\| --- \|\n\| b \|$/);
});

test('CSV: RFC 4180 quoting, every record ended by CRLF', () => {
  assert.equal(
    writeTable(
      {
        header: ['a', 'b'],
        rows: [
          ['x,y', 'say "hi"'],
          ['', 'two\nlines'],
        ],
      },
      CSV,
    ),
    'a,b\r\n"x,y","say ""hi"""\r\n,"two\nlines"\r\n',
  );
});

test('HTML: cells escaped, the header in <thead>, the class on the table', () => {
  assert.equal(
    htmlTable(['a<b'], [['x & y']], 'kv'),
    '<table class="kv"><thead><tr><th>a&lt;b</th></tr></thead><tbody><tr><td>x &amp; y</td></tr></tbody></table>',
  );
});

test('alignment is part of the table, not of a format: the same table right-aligns in text and Markdown alike', () => {
  const t = {
    header: ['k', 'n'],
    rows: [
      ['a', '1'],
      ['bb', '100'],
    ],
    align: numbersRight,
  };
  assert.equal(writeTable(t, { cell: (c) => c, pad: true, row: (cells) => cells.join('|') }), 'k |  n\na |  1\nbb|100');
  assert.match(markdownTable(t.header, t.rows, true), /\| --- \| ---: \|/);
});
