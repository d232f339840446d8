/**
 * fffbench compare and merge through the CLI: exit statuses, Markdown for CI, machines that must
 * not be mixed, shards merged back. The statistics behind them: test/unit/compare-stats.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { machineFingerprint, parseProcCpuinfo } from '../../runners/machine.ts';
import { Rng } from '../../src/model/rng.ts';
import type { ResultsFile } from '../../src/results/schema.ts';
import { expandCases } from '../../suites/expand.ts';
import { loadSuite } from '../../suites/load.ts';
import { selectShard } from '../../suites/shard.ts';
import { rerun } from '../crafted-results.ts';
import { runCli, runTinySuite, tempDir, writeTinySuite } from '../support.ts';

describe('fffbench compare', () => {
  const run = runTinySuite({ runtimes: ['node'], backends: ['js'] }).file;

  it('exits 1 on a gated regression (with Markdown for CI), 0 on A/A or when not gated, 2 across machines or on a bad file', () => {
    const dir = tempDir();
    const rng = new Rng(7);
    const bases = [1, 2, 3].map((k) => {
      const path = join(dir, `base${k}.json`);
      writeFileSync(path, JSON.stringify(rerun(run, rng, 0.01)));
      return path;
    });
    const same = join(dir, 'same.json');
    const slow = join(dir, 'slow.json');
    const other = join(dir, 'other.json');
    writeFileSync(same, JSON.stringify(rerun(run, rng, 0.01)));
    writeFileSync(slow, JSON.stringify(rerun(run, rng, 0.01, (id) => (id.includes('/dense/') ? 1.3 : 1))));
    writeFileSync(other, JSON.stringify({ ...run, machine: { ...run.machine, id: 'ffffffffffff' } }));
    // --no-confirm: these runs are synthetic (medians of 100 µs), so a re-run of their cases would
    // measure something else; history.test.ts confirms real runs
    assert.equal(runCli(['compare', ...bases, same, '--no-confirm']).status, 0);
    const md = runCli(['compare', ...bases, slow, '--format', 'md', '--threshold', '10%', '--no-confirm']);
    assert.equal(md.status, 1);
    assert.match(md.stdout, /### fffbench compare: 🔴 \d+ regressions?/);
    assert.match(md.stdout, /\| node · js · dense \|/);
    const json = JSON.parse(runCli(['compare', ...bases, slow, '--format', 'json', '--no-confirm']).stdout);
    assert.ok(json.comparisons[0].regressions > 0 && json.comparisons[0].gated);
    const ungated = runCli(['compare', bases[0], slow]);
    assert.equal(ungated.status, 0, 'one baseline run: shown, not gated');
    assert.match(ungated.stdout, /not gated: \d+ slower/);
    const cross = runCli(['compare', bases[0], other]);
    assert.equal(cross.status, 2);
    assert.match(cross.stderr, /never compared.*--allow-machines/s);
    writeFileSync(join(dir, 'cut.json'), readFileSync(bases[0], 'utf8').slice(0, 500));
    const cut = runCli(['compare', bases[0], join(dir, 'cut.json')]);
    assert.equal(cut.status, 2);
    assert.match(cut.stderr, /cut\.json: not a complete JSON document/);
    writeFileSync(join(dir, 'newer.json'), JSON.stringify({ ...run, schemaVersion: 9 }));
    assert.match(runCli(['compare', bases[0], join(dir, 'newer.json')]).stderr, /schemaVersion 9 is newer/);
    writeFileSync(join(dir, 'foreign.json'), JSON.stringify({ hello: 'world' }));
    assert.match(runCli(['merge', join(dir, 'foreign.json'), '-o', join(dir, 'm.json')]).stderr, /not an fffbench results file/);
    assert.equal(runCli(['compare', bases[0], same, '--threshold', 'lots']).status, 2);
  });

  it('two CPUs that differ only in family get different ids, and merge and compare refuse to mix them without the flag', () => {
    const dir = tempDir();
    const cpuinfo = (family: string) =>
      `processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: ${family}\nmodel\t\t: 17\nmodel name\t: AMD EPYC\nstepping\t: 1\nflags\t\t: avx2 avx512f\n`;
    const [zen4, zen5] = ['25', '26'].map((family) => ({ ...run, machine: machineFingerprint(parseProcCpuinfo(cpuinfo(family))) }));
    assert.notEqual(zen4.machine.id, zen5.machine.id);
    assert.equal(zen4.machine.cpuModel, zen5.machine.cpuModel, 'same model string');
    const [a, b] = [zen4, zen5].map((file, k) => {
      const path = join(dir, `m${k}.json`);
      writeFileSync(path, JSON.stringify(file));
      return path;
    });
    const compared = runCli(['compare', a, b]);
    assert.equal(compared.status, 2);
    assert.match(compared.stderr, /share no machine id/);
    const allowed = runCli(['compare', a, b, '--allow-machines']);
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.match(allowed.stdout, new RegExp(`not gated: .*machines ${zen4.machine.id} → ${zen5.machine.id}`));
    assert.match(allowed.stdout, /the differences are the machines'/);
    const merged = runCli(['merge', a, b, '-o', join(dir, 'merged.json')]);
    assert.equal(merged.status, 2);
    assert.match(merged.stderr, /--allow-machines/);
    assert.equal(runCli(['merge', a, b, '-o', join(dir, 'bundle.json'), '--allow-machines']).status, 0);
  });
});

describe('sharding and merging', () => {
  it('the shards of quick are disjoint, cover every case, and keep FFF with its dense', () => {
    const { suite, file } = loadSuite('quick');
    const cases = expandCases(suite, file);
    const shards = [1, 2, 3].map((index) => selectShard(cases, { index, count: 3 }, suite.measurement));
    const ids = shards.flatMap((s) => s.map((c) => c.id));
    assert.equal(new Set(ids).size, ids.length, 'disjoint');
    assert.deepEqual(ids.sort(), cases.map((c) => c.id).sort(), 'complete');
    for (const shard of shards) {
      assert.ok(shard.length > 0);
      for (const c of shard.filter((x) => x.model === 'fff')) assert.ok(shard.some((d) => d.model === 'dense' && d.id === c.id.replace('/fff/', '/dense/')));
    }
  });

  it('running 3 shards then merging gives the same cases as one unsharded run; mixing machines is refused', () => {
    const dir = tempDir();
    const suite = writeTinySuite(dir, { runtimes: ['node', 'bun'], backends: ['js'] });
    const parts = [1, 2, 3].map((k) => {
      const out = join(dir, `shard${k}.json`);
      const r = runCli(['run', suite, '--shard', `${k}/3`, '--out', out]);
      assert.equal(r.status, 0, r.stderr);
      return out;
    });
    const merged = join(dir, 'merged.json');
    const m = runCli(['merge', ...parts, '-o', merged]);
    assert.equal(m.status, 0, m.stderr);
    const file = JSON.parse(readFileSync(merged, 'utf8')) as ResultsFile;
    const { suite: parsed } = loadSuite(suite);
    assert.deepEqual(
      file.results.map((r) => r.id).sort(),
      expandCases(parsed)
        .map((c) => c.id)
        .sort(),
    );
    assert.equal(file.comparisons.length, file.results.length / 2);
    assert.match(file.suite.shard!, /merged 1\/3 \+ 2\/3 \+ 3\/3/);

    assert.equal(runCli(['merge', parts[0], parts[0], '-o', join(dir, 'dup.json')]).status, 2);
    const elsewhere = join(dir, 'elsewhere.json');
    writeFileSync(
      elsewhere,
      JSON.stringify({ ...JSON.parse(readFileSync(parts[1], 'utf8')), machine: { ...file.machine, id: 'aaaaaaaaaaaa', cpuModel: 'Other CPU' } }),
    );
    const refused = runCli(['merge', parts[0], elsewhere, '-o', join(dir, 'mixed.json')]);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /2 machines.*--allow-machines/s);
    const bundled = runCli(['merge', parts[0], elsewhere, '-o', join(dir, 'bundle.json'), '--allow-machines']);
    assert.equal(bundled.status, 0, bundled.stderr);
    assert.equal(JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8')).bundle.length, 2);
  });
});
