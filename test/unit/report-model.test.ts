/**
 * The report's data model, without rendering: the speedup rows are built once and every table
 * shows the same cells; the chart registry yields one section per definition, names the machine in
 * a field (never in the title), and draws the headline claim from paper-claims.json.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResultsFile } from '../../src/results/schema.ts';
import { CHARTS, buildChartSections } from '../../reports/charts/registry.ts';
import { loadClaims, type ClaimsFile } from '../../src/claims/claims.ts';
import { measuredComparisons } from '../../src/claims/measured.ts';
import { buildReport } from '../../reports/page/build.ts';
import { renderHtml } from '../../reports/page/html.ts';
import { renderMarkdown } from '../../reports/page/markdown.ts';
import { buildContext } from '../../reports/page/context.ts';
import { pairsByShape, speedupCells, speedupTables } from '../../reports/speedup-rows.ts';
import { renderTable } from '../../reports/run-table.ts';
import { craftMachine, craftResults, FIG3 } from '../crafted-results.ts';

/** A depth sweep of the paper's setup on two backends, and one case whose FFF failed. */
function sweep(machineId = 'crafted-machine'): ResultsFile {
  return craftResults(
    [
      ...[8, 9, 10].map((depth) => ({ shape: FIG3(depth), speedup: 10 * depth })),
      ...[8, 9, 10].map((depth) => ({ shape: FIG3(depth), speedup: 5 * depth, backend: 'wasm' })),
      { shape: FIG3(11), speedup: 1, backend: 'wasm', fffStatus: 'failed' as const },
    ],
    { machine: craftMachine(machineId) },
  );
}

test('one set of speedup rows: the CLI table and the report show the same cells for every measured pair', () => {
  const file = sweep();
  const tables = speedupTables(file);
  assert.deepEqual(
    tables.map((t) => `${t.runtime.name} · ${t.backend!.name}`),
    ['node · js', 'node · wasm'],
  );
  assert.equal(tables.flatMap((t) => t.rows).length, measuredComparisons([file]).length, 'the failed case has no row');
  const cli = renderTable(file);
  const report = buildContext([{ path: 'crafted.json', data: file }]);
  for (const [k, t] of tables.entries()) {
    const { rows } = speedupCells(['shape', 'speedup', 'fffFloor'], t.rows);
    const shown = report.tables[k].rows;
    for (const [shape, speedup, floor] of rows) {
      assert.ok(cli.includes(speedup) && cli.includes(floor), `CLI table shows ${speedup} and ${floor}`);
      assert.ok(
        shown.some((r) => r[0] === shape && r.includes(speedup) && r.includes(floor)),
        `report shows ${shape}: ${speedup}, ${floor}`,
      );
    }
  }
});

test('perf rows: every backend at every shape, a side that did not measure shown by its status', () => {
  const byShape = pairsByShape(sweep());
  assert.equal(byShape.length, 4);
  const failed = byShape[3].rows;
  assert.deepEqual(speedupCells(['backend', 'fffMedian', 'denseMedian', 'speedup'], failed).rows, [['wasm', 'failed', '1.00 ms', '—']]);
});

test('the chart registry: one section per definition, in order, with unique ids', () => {
  const sections = buildChartSections([sweep()]);
  // One machine: every section but those only some reports have (machines compared needs two).
  assert.deepEqual(
    sections.map((s) => s.id),
    CHARTS.filter((c) => !c.onlyWhen).map((c) => c.id),
  );
  assert.equal(new Set(CHARTS.map((c) => c.id)).size, CHARTS.length);
  for (const s of sections) assert.ok(s.groups.length > 0 || s.missing.length > 0, `${s.id}: charts, or why not`);
});

test("the runtimes chart sets Node's lines side by side, in the runtime list's order, each labelled with the version that ran", () => {
  const lines = [
    { runtime: 'deno' as const, runtimeVersion: '2.9.6', speedup: 30 },
    { runtime: 'node@22' as const, runtimeVersion: '22.23.2', speedup: 20 },
    { runtime: 'node' as const, runtimeVersion: '26.10.0', speedup: 40 },
    { runtime: 'node@24' as const, runtimeVersion: '24.21.0', speedup: 35 },
  ];
  const file = craftResults(lines.flatMap((l) => [8, 9].map((depth) => ({ ...l, shape: FIG3(depth), speedup: l.speedup + depth }))));
  const section = buildChartSections([file]).find((s) => s.id === 'runtimes')!;
  const panel = section.groups[0].panels[0];
  assert.deepEqual(
    panel.series.map((s) => s.label),
    ['node 26.10.0', 'node@24 24.21.0', 'node@22 22.23.2', 'deno 2.9.6'],
  );
  assert.equal(new Set(panel.series.map((s) => s.color)).size, 4, 'a colour per line');
  assert.deepEqual(
    panel.series[2].points.map((p) => p.y),
    [28, 29],
  );
  assert.match(section.description, /node@N another pinned Node line/);
});

test('with two machines, each panel names its machine in a field; titles carry no machine', () => {
  // Machines compared draws every machine in one panel (its series are the machines): not a per-machine panel.
  const sections = buildChartSections([sweep('machine-a'), sweep('machine-b')]).filter((s) => s.id !== 'machines');
  const panels = sections.flatMap((s) => s.groups.flatMap((g) => g.panels));
  assert.ok(panels.length > 0);
  for (const p of panels) {
    assert.match(p.machine ?? '', /machine-[ab]$/);
    assert.ok(!p.title.includes('machine-'), p.title);
    assert.ok(p.id.endsWith(p.machine!.endsWith('machine-a') ? '-machine-a' : '-machine-b'), p.id);
  }
  for (const g of sections.flatMap((s) => s.groups)) assert.equal(g.title, g.panels[0].title);
});

test("the speedup chart's claim line and the section's description take the headline claim's number from paper-claims.json", () => {
  const claimLine = (claims: ClaimsFile) => {
    const [section] = buildChartSections([sweep()], [], claims);
    const line = section.groups[0].panels[0].series.find((s) => s.role === 'claim');
    return { y: line?.points[0].y, label: line?.label, description: section.description };
  };
  const claims = loadClaims();
  const headline = claims.claims.find((c) => c.headline)!;
  assert.equal(claimLine(claims).y, headline.claimedSpeedup);
  const moved = { ...claims, claims: claims.claims.map((c) => (c === headline ? { ...c, claimedSpeedup: 123 } : c)) };
  const drawn = claimLine(moved);
  assert.equal(drawn.y, 123);
  assert.match(drawn.label ?? '', /up to 123x/);
  assert.match(drawn.description, /123x/);
  const none = { ...claims, claims: claims.claims.map((c) => ({ ...c, headline: undefined })) };
  assert.equal(claimLine(none).y, undefined, 'no headline claim, no line');
});

test('a GPU backend on an unidentified or a software adapter is marked in the backend table of summary.md and index.html, and its verdict card says why it is not judged', () => {
  const run = (adapter: string, adapterClass: 'software' | 'unidentified', machineId: string) =>
    craftResults([{ shape: FIG3(12), speedup: 300, backend: 'webgpu', adapter, adapterClass }], { machine: craftMachine(machineId) });
  const unidentified = run('[unidentified adapter: no vendor, architecture, device or description names it]', 'unidentified', 'machine-a');
  const software = run('65541 llvmpipe (LLVM 15.0.6, 256 bits) [software adapter]', 'software', 'machine-b');
  assert.deepEqual(
    buildContext([{ path: 'u.json', data: unidentified }]).targets.map((t) => t.nonGpuAdapter),
    ['unidentified'],
  );
  assert.deepEqual(
    buildContext([{ path: 's.json', data: software }]).targets.map((t) => t.nonGpuAdapter),
    ['software'],
  );
  const model = buildReport([{ path: 'u.json', data: unidentified }]);
  const md = renderMarkdown(model);
  assert.match(md, /\| webgpu 1 ⚠ unidentified adapter \|/);
  assert.match(md, /\*\*fff-up-to-220x\*\*: Not judged: .*webgpu ran on an unidentified GPU adapter/);
  const html = renderHtml(model);
  assert.match(html, /webgpu 1 ⚠ UNIDENTIFIED ADAPTER \(not GPU numbers\)/);
  assert.match(html, /why not judged<\/t[hd]><td>webgpu ran on an unidentified GPU adapter/);
});
