import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ShapeSchema } from '../../src/model/schema.ts';
import { EXPORT_COLUMNS, exportColumnsMarkdown, exportRows } from '../../src/results/export.ts';
import { loadResultsFile } from '../../src/results/load.ts';
import type { ResultsFile } from '../../src/results/schema.ts';
import { csvField } from '../../src/text/table.ts';
import { craftResults } from '../crafted-results.ts';
import { ROOT, runCli, tempDir } from '../support.ts';

const REFERENCE = join(ROOT, 'fixtures', 'reference-runs', 'intel-xeon-2core-claims-node.json');
const reference = loadResultsFile(REFERENCE);
const NAMES = EXPORT_COLUMNS.map((c) => c.name);

/** RFC 4180: fields separated by commas, records by CRLF (or LF); a quoted field may hold commas, line breaks and doubled quotes. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let k = 0;
  let quoted = false;
  while (k < text.length) {
    const ch = text[k];
    if (quoted) {
      if (ch === '"' && text[k + 1] === '"') {
        field += '"';
        k += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      k++;
      continue;
    }
    if (ch === '"') {
      assert.equal(field, '', `a quote opens a field only at its start (offset ${k})`);
      quoted = true;
    } else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\r' || ch === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      if (ch === '\r' && text[k + 1] === '\n') k++;
    } else field += ch;
    k++;
  }
  assert.ok(!quoted, 'unterminated quoted field');
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** A second machine's copy of the reference run: another id, the CPU fields, and awkward text. */
function secondMachine(): ResultsFile {
  const file = structuredClone(reference);
  file.machine = {
    ...file.machine,
    id: 'second-machine-0001',
    cpuModel: 'Test CPU, "Quoted" edition',
    cpu: { source: 'proc-cpuinfo', vendor: 'GenuineTest', family: '6', model: '143', stepping: '8', simd: ['avx2'], caches: {}, raw: {} },
  };
  const skipped = file.results[0];
  skipped.status = 'skipped';
  skipped.reason = 'no adapter, "webgpu" said:\nline two';
  delete skipped.stats;
  delete skipped.roofline;
  file.comparisons = file.comparisons.filter((p) => p.treeId !== skipped.id && p.denseId !== skipped.id);
  return file;
}

function exportCli(args: string[]) {
  const r = runCli(['export', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

describe('export columns', () => {
  it('are unique snake_case names, covering every shape field and the fields the issue names', () => {
    assert.equal(new Set(NAMES).size, NAMES.length);
    for (const name of NAMES) assert.match(name, /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
    for (const key of Object.keys(ShapeSchema.shape)) {
      const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      assert.ok(NAMES.includes(snake), `shape field ${key} is the column ${snake}`);
    }
    for (const name of [
      'machine_id',
      'cpu_model',
      'cpu_cores',
      'memory_gib',
      'os',
      'arch',
      'cpu_vendor',
      'cpu_family',
      'cpu_model_number',
      'cpu_stepping',
      'suite',
      'started_at',
      'git_commit',
      'runtime',
      'runtime_version',
      'backend',
      'backend_version',
      'threads',
      'model',
      'status',
      'reason',
      'median_ns',
      'ci_low_ns',
      'ci_high_ns',
      'samples',
      'floor_multiple',
      'floor_bound',
      'speedup',
      'speedup_ci_low',
      'speedup_ci_high',
      'theoretical_speedup',
    ]) {
      assert.ok(NAMES.includes(name), `column ${name}`);
    }
    for (const c of EXPORT_COLUMNS) assert.ok(c.description.length > 3 && !c.description.includes('\n'), `${c.name} has a one-line description`);
  });

  it('document themselves as a Markdown table, one row per column in order', () => {
    const lines = exportColumnsMarkdown().trimEnd().split('\n');
    assert.equal(lines[0], '| column | meaning |');
    assert.equal(lines.length, NAMES.length + 2);
    NAMES.forEach((name, k) => {
      assert.ok(lines[k + 2].startsWith(`| \`${name}\` | `), lines[k + 2]);
    });
  });

  it('docs/results.md documents export with the generated column table', () => {
    const page = readFileSync(join(ROOT, 'docs', 'results.md'), 'utf8');
    assert.ok(page.includes('fffbench export'));
    assert.ok(
      page.includes(exportColumnsMarkdown().trimEnd()),
      "docs/results.md's export column table is exportColumnsMarkdown() (regenerate it from src/results/export.ts)",
    );
  });

  it('carry the runtime as the suite named it (a Node line too) in case_id and runtime, the exact version beside it, and the method version', () => {
    const cell = (file: ResultsFile, name: string) => EXPORT_COLUMNS.find((c) => c.name === name)!.read(exportRows([file])[0]);
    const line22 = craftResults([{ shape: { inputDim: 8, outputDim: 4, depth: 2, leafWidth: 2, batchSize: 4 }, speedup: 2, runtime: 'node@22' }]);
    assert.match(String(cell(line22, 'case_id')), /^node@22\//);
    assert.equal(cell(line22, 'runtime'), 'node@22');
    assert.equal(cell(line22, 'runtime_version'), '1.0.0');
    assert.equal(cell(reference, 'method_version'), 1, 'the reference run read bandwidth on one thread');
    assert.equal(cell({ ...line22, methodVersion: 2 }, 'method_version'), 2);
  });

  it('quote CSV fields per RFC 4180', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.deepEqual(parseCsv(`${['a,b', 'say "hi"', 'two\r\nlines', ''].map(csvField).join(',')}\r\n`), [['a,b', 'say "hi"', 'two\r\nlines', '']]);
  });
});

describe('fffbench export', () => {
  it("writes a reference run as CSV: the column list as header, one row per case, the pair's speedup on both its rows", () => {
    const records = parseCsv(exportCli([REFERENCE, '--format', 'csv']));
    assert.deepEqual(records[0], NAMES);
    const rows = records.slice(1);
    assert.equal(rows.length, reference.results.length);
    for (const row of rows) assert.equal(row.length, NAMES.length);
    const col = (name: string) => NAMES.indexOf(name);
    const byId = new Map(rows.map((r) => [r[col('case_id')], r]));
    assert.equal(byId.size, reference.results.length);
    assert.ok(reference.comparisons.length > 0);
    for (const pair of reference.comparisons) {
      for (const id of [pair.treeId, pair.denseId]) {
        const row = byId.get(id)!;
        assert.equal(row[col('speedup')], String(pair.speedup), id);
        assert.equal(row[col('speedup_ci_low')], String(pair.speedupCiLow), id);
        assert.equal(row[col('speedup_ci_high')], String(pair.speedupCiHigh), id);
        assert.equal(row[col('theoretical_speedup')], String(pair.theoreticalSpeedup), id);
      }
    }
    const paired = new Set(reference.comparisons.flatMap((p) => [p.treeId, p.denseId]));
    for (const r of reference.results) {
      const row = byId.get(r.id)!;
      if (!paired.has(r.id)) assert.equal(row[col('speedup')], '', `${r.id} has no pair`);
      assert.equal(row[col('median_ns')], String(r.stats?.median ?? ''));
      assert.equal(row[col('samples')], String(r.stats?.n ?? ''));
      assert.equal(row[col('floor_bound')], r.roofline?.bound ?? '');
      assert.equal(row[col('depth')], String(r.shape.depth));
      assert.equal(row[col('machine_id')], reference.machine.id);
      assert.equal(row[col('git_commit')], reference.git!.commit);
      assert.equal(row[col('cpu_vendor')], '', 'this file predates machine.cpu: an empty cell');
    }
  });

  it('writes JSON Lines: one object per case, keys in column order, null for a missing value', () => {
    const lines = exportCli([REFERENCE, '--format', 'jsonl']).trimEnd().split('\n');
    assert.equal(lines.length, reference.results.length);
    for (const line of lines) {
      const row = JSON.parse(line) as Record<string, unknown>;
      assert.deepEqual(Object.keys(row), NAMES);
      assert.equal(row.cpu_vendor, null);
      assert.equal(row.cpu_cores, reference.machine.cpuCores);
    }
  });

  it('writes a Markdown table with the header row', () => {
    const lines = exportCli([REFERENCE, '--format', 'md']).trimEnd().split('\n');
    assert.equal(lines[0], `| ${NAMES.join(' | ')} |`);
    assert.match(lines[1], /^\|( --- \|)+$/);
    assert.equal(lines.length, reference.results.length + 2);
  });

  it("expands a two-machine bundle (merge --allow-machines) to both machines' cases; quoted fields round-trip", () => {
    const dir = tempDir();
    const second = join(dir, 'second.json');
    writeFileSync(second, JSON.stringify(secondMachine()));
    const bundle = join(dir, 'bundle.json');
    const merged = runCli(['merge', REFERENCE, second, '-o', bundle, '--allow-machines']);
    assert.equal(merged.status, 0, merged.stderr);
    const out = join(dir, 'out', 'bundle.csv');
    const r = runCli(['export', bundle, '--format', 'csv', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.stdout.includes('machine_id,'), 'with --out the table goes to the file, not stdout');
    const records = parseCsv(readFileSync(out, 'utf8'));
    assert.deepEqual(records[0], NAMES);
    const rows = records.slice(1);
    assert.equal(rows.length, 2 * reference.results.length);
    const col = (name: string) => NAMES.indexOf(name);
    const mine = rows.filter((row) => row[col('machine_id')] === 'second-machine-0001');
    assert.equal(mine.length, reference.results.length);
    for (const row of mine) {
      assert.equal(row[col('cpu_model')], 'Test CPU, "Quoted" edition');
      assert.deepEqual(
        [row[col('cpu_vendor')], row[col('cpu_family')], row[col('cpu_model_number')], row[col('cpu_stepping')]],
        ['GenuineTest', '6', '143', '8'],
      );
    }
    const skipped = mine.find((row) => row[col('status')] === 'skipped')!;
    assert.equal(skipped[col('reason')], 'no adapter, "webgpu" said:\nline two');
    assert.equal(skipped[col('median_ns')], '');
    assert.equal(skipped[col('speedup')], '');

    // the same two files given side by side export the same rows as their bundle
    const direct = parseCsv(exportCli([REFERENCE, second, '--format', 'csv']));
    assert.deepEqual(new Set(direct.slice(1).map((row) => row.join('\u0000'))), new Set(rows.map((row) => row.join('\u0000'))));

    const jsonl = exportCli([bundle, '--format', 'jsonl'])
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(jsonl.length, rows.length);
    assert.ok(jsonl.some((row) => row.reason === 'no adapter, "webgpu" said:\nline two'));
    const md = exportCli([bundle, '--format', 'md']);
    assert.ok(md.includes('no adapter, "webgpu" said:<br>line two'), 'a line break inside a Markdown cell becomes <br>');
  });

  it('exits 2 with the reason on bad input', () => {
    const dir = tempDir();
    const notResults = join(dir, 'notes.json');
    writeFileSync(notResults, '{"hello": 1}');
    const truncated = join(dir, 'truncated.json');
    writeFileSync(truncated, readFileSync(REFERENCE, 'utf8').slice(0, 500));
    const cases: [string[], RegExp][] = [
      [[join(dir, 'missing.json'), '--format', 'csv'], /missing\.json: cannot read/],
      [[notResults, '--format', 'csv'], /notes\.json: not an fffbench results file/],
      [[truncated, '--format', 'csv'], /truncated\.json: not a complete JSON document/],
      [[REFERENCE, '--format', 'xml'], /--format: expected csv, jsonl, md \(given: xml\)/],
      [[REFERENCE], /needs --format/],
      [['--format', 'csv'], /at least one results file/],
      [[REFERENCE, '--format', 'csv', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(['export', ...args]);
      assert.equal(r.status, 2, `export ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    assert.ok(!existsSync(join(dir, 'missing.json')));
  });

  it('is listed in the main help, and its help names every flag', () => {
    const main = runCli(['--help']);
    assert.match(main.stdout, /^\s+export FILE/m);
    const help = runCli(['export', '--help']).stdout;
    for (const flag of ['--format', '--out', '-o', 'csv', 'jsonl', 'md']) assert.ok(help.includes(flag), flag);
    for (const name of NAMES) assert.ok(help.includes(name), `help lists column ${name}`);
  });
});
