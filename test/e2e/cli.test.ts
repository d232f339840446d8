import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { theoreticalSpeedup } from '../../src/model/cost.ts';
import { ResultsFileSchema } from '../../src/results/schema.ts';
import { formatRatio } from '../../src/text/format.ts';
import { pinnedNodeVersion } from '../../runners/runtimes.ts';
import { runCli, runTinySuite } from '../support.ts';

describe('fffbench run end to end (node, deno, bun)', () => {
  const shapes = [
    { inputDim: 33, outputDim: 7, depth: 2, leafWidth: 3, batchSize: 5, activation: 'relu' as const },
    { inputDim: 16, outputDim: 4, depth: 0, leafWidth: 1, batchSize: 1, activation: 'gelu' as const },
  ];
  const run = runTinySuite({ runtimes: ['node', 'deno', 'bun'], backends: ['js'], shapes });
  const file = run.file;

  it('writes a valid results file with every case ok and checked', () => {
    ResultsFileSchema.parse(file);
    assert.equal(file.results.length, 3 * 2 * 2);
    for (const r of file.results) {
      assert.equal(r.status, 'ok', `${r.id}: ${r.reason}`);
      assert.equal(r.check?.ok, true);
      assert.ok(r.stats!.samples.length === r.stats!.n && r.stats!.n >= 3);
      assert.ok(r.stats!.ciLow <= r.stats!.median && r.stats!.median <= r.stats!.ciHigh);
      assert.ok(r.rotation!.batches >= 2);
    }
    assert.deepEqual([...new Set(file.results.map((r) => r.runtime.name))], ['node', 'deno', 'bun']);
    assert.ok(file.machine.cpuCores > 0 && file.machine.id.length === 12);
  });

  it('pairs FFF with dense per runtime, backend and shape, with the formula for the bound', () => {
    assert.equal(file.comparisons.length, 3 * 2);
    const byId = new Map(file.results.map((r) => [r.id, r]));
    for (const c of file.comparisons) {
      const fff = byId.get(c.treeId)!;
      const dense = byId.get(c.denseId)!;
      assert.equal(fff.model, 'fff');
      assert.equal(dense.model, 'dense');
      assert.deepEqual(fff.shape, dense.shape);
      assert.equal(fff.runtime.name, c.runtime);
      assert.ok(Math.abs(c.speedup - dense.stats!.median / fff.stats!.median) < 1e-9 * c.speedup);
      assert.ok(c.speedupCiLow <= c.speedup && c.speedup <= c.speedupCiHigh);
      const { depth, leafWidth: l, inputDim: i, outputDim: o } = c.shape;
      assert.equal(c.theoreticalSpeedup, (2 ** depth * l * (i + o)) / (depth * i + l * (i + o)));
      assert.equal(c.theoreticalSpeedup, theoreticalSpeedup(c.shape));
      assert.equal(c.efficiency, c.speedup / c.theoreticalSpeedup);
    }
  });

  it('prints a table that agrees with the file', () => {
    for (const runtime of ['node', 'deno', 'bun']) assert.match(run.stdout, new RegExp(`${runtime} · js`));
    for (const c of file.comparisons) {
      assert.ok(
        run.stdout.includes(`${formatRatio(c.speedup)} [${formatRatio(c.speedupCiLow)}, ${formatRatio(c.speedupCiHigh)}]`),
        `speedup of ${c.treeId} in table`,
      );
    }
    assert.match(run.stdout, /12 cases: 12 ok, 0 skipped, 0 failed, 0 invalid/);
  });
});

describe('fffbench help and list', () => {
  it('has --help on every verb', () => {
    for (const verb of ['run', 'list']) {
      const r = runCli([verb, '--help']);
      assert.equal(r.status, 0);
      assert.match(r.stdout, new RegExp(`Usage: fffbench ${verb}`));
    }
    assert.equal(runCli(['--help']).status, 0);
    assert.equal(runCli(['frobnicate']).status, 2);
  });
  it('lists shipped suites, runtimes and backend availability', () => {
    const r = runCli(['list']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /quick\s+\d+ cases/);
    assert.match(r.stdout, /paper-fig3/);
    assert.match(r.stdout, /deno\s+\d+\.\d+\.\d+/);
    // node is the pinned Active LTS, each other Node line its own pinned binary, with their versions
    assert.match(
      r.stdout,
      new RegExp(
        `\\n  node\\s+${pinnedNodeVersion('node')!.replace(/\./g, '\\.')}\\s+pinned: node_modules/node-${process.platform}-${process.arch}/bin/node\\n`,
      ),
    );
    assert.match(pinnedNodeVersion('node')!, /^26\./);
    assert.match(r.stdout, /\n {2}node@24\s+24\.\d+\.\d+\s+pinned: node_modules\/node-[a-z0-9]+-[a-z0-9]+-24\/bin\/node\n/);
    assert.match(r.stdout, /\n {2}node@22\s+22\.\d+\.\d+\s+pinned: node_modules\/node-[a-z0-9]+-[a-z0-9]+-22\/bin\/node\n/);
    assert.match(r.stdout, /\n {2}bun\s+\d+\.\d+\.\d+\s+pinned: node_modules\/\.bin\/bun\n/);
    assert.match(r.stdout, /js\s+available/);
  });
});
