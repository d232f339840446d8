import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { baselineFromRuns, compareRuns } from '../src/compare/compare.ts';
import { summarize, mannWhitneyU } from '../src/measure/stats.ts';
import { Rng } from '../src/model/rng.ts';
import { buildComparisons } from '../src/results/comparisons.ts';
import type { ResultsFile } from '../src/results/schema.ts';
import { expandCases } from '../suites/expand.ts';
import { loadSuite } from '../suites/load.ts';
import { selectShard } from '../suites/shard.ts';
import { runCli, runTinySuite, tempDir, writeTinySuite } from './support.ts';

/** Lognormal-ish timing samples around `median` ns. */
function samples(rng: Rng, n: number, median: number): number[] {
  return Array.from({ length: n }, () => {
    const u = Math.max(1e-12, rng.next());
    const v = rng.next();
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return median * Math.exp(0.05 * normal);
  });
}

/** A copy of `file` whose every ok result has fresh samples from the same distribution (an A/A rerun). */
function redraw(file: ResultsFile, rng: Rng, slowdown: (id: string) => number = () => 1): ResultsFile {
  const results = file.results.map((r) => (r.status === 'ok' && r.stats ? { ...r, stats: summarize(samples(rng, 30, 1e5 * slowdown(r.id))) } : r));
  return { ...file, results, comparisons: buildComparisons(results) };
}

const OPTIONS = { threshold: 0.05, alpha: 0.01 };

describe('significance', () => {
  it('Mann–Whitney U: false-positive rate at or under alpha on one distribution', () => {
    const rng = new Rng(31);
    const trials = 2000;
    let positives = 0;
    for (let t = 0; t < trials; t++) if (mannWhitneyU(samples(rng, 30, 100), samples(rng, 30, 100)).p < 0.01) positives++;
    // alpha 0.01 plus three binomial standard deviations of slack for the finite trial count
    assert.ok(positives / trials <= 0.01 + 3 * Math.sqrt((0.01 * 0.99) / trials), `rate ${positives / trials}`);
  });
  it('Mann–Whitney U detects a 20% shift with 30 samples a side', () => {
    const rng = new Rng(32);
    assert.ok(mannWhitneyU(samples(rng, 30, 100), samples(rng, 30, 120)).p < 1e-6);
  });
});

describe('fffbench compare', () => {
  const run = runTinySuite({ runtimes: ['node'], backends: ['js'] }).file;

  it('A/A: runs drawn from one distribution flag nothing beyond alpha', () => {
    const rng = new Rng(5);
    let flagged = 0;
    let cases = 0;
    for (let t = 0; t < 100; t++) {
      const c = compareRuns(baselineFromRuns([redraw(run, rng)]), redraw(run, rng), OPTIONS);
      flagged += c.regressions + c.improvements;
      cases += c.cases.length;
    }
    assert.ok(flagged / cases <= OPTIONS.alpha, `${flagged} of ${cases}`);
  });

  it('a 20% slowdown injected into one case is flagged, and only that case', () => {
    const rng = new Rng(6);
    const victim = run.results.find((r) => r.model === 'fff' && r.status === 'ok')!.id;
    const c = compareRuns(baselineFromRuns([redraw(run, rng)]), redraw(run, rng, (id) => (id === victim ? 1.2 : 1)), OPTIONS);
    assert.deepEqual(c.cases.filter((x) => x.verdict === 'regression').map((x) => x.key), [victim.replace(/^(\w+)\/(\w+)\/(\w+)\//, '$1/$2/$3/')]);
    const row = c.cases.find((x) => x.verdict === 'regression')!;
    assert.ok(row.change! > 0.1 && row.changeCiLow! > 0.05, JSON.stringify(row));
  });

  it('with several baseline runs, a case is judged against the spread of their medians', () => {
    const rng = new Rng(8);
    const victim = run.results.find((r) => r.model === 'dense' && r.status === 'ok')!.id;
    // one baseline run was 30% slower on this case (a noisy neighbour): the case's noise is 30%
    const baseline = baselineFromRuns([redraw(run, rng), redraw(run, rng, (id) => (id === victim ? 1.3 : 1))]);
    const c = compareRuns(baseline, redraw(run, rng, (id) => (id === victim ? 1.35 : 1)), OPTIONS);
    const row = c.cases.find((x) => x.verdict !== 'only-in-baseline' && run.results.find((r) => r.id === victim)!.shape === x.shape && x.model === 'dense')!;
    assert.ok(row.noise! > 0.25 && row.threshold! > 0.25, JSON.stringify(row));
    assert.equal(row.verdict, 'unchanged');
    assert.equal(c.regressions, 0);
    // the same slowdown against a quiet baseline is a regression
    assert.equal(compareRuns(baselineFromRuns([redraw(run, rng), redraw(run, rng)]), redraw(run, rng, (id) => (id === victim ? 1.35 : 1)), OPTIONS).regressions, 1);
  });

  it('a backend whose calibration GEMM moved (another thread-pool state) is unstable, not a regression', () => {
    const rng = new Rng(9);
    const withSentinel = (file: ResultsFile, flops: number): ResultsFile => ({
      ...file,
      machine: { ...file.machine, calibration: { node: { readBandwidth: 2e10, copyBandwidth: 2e10, peakFlops: 2e11, peakBackend: 'js', gemmFlops: { js: flops } } } },
    });
    const baseline = baselineFromRuns([withSentinel(redraw(run, rng), 48e9), withSentinel(redraw(run, rng), 47e9)]);
    const slowState = compareRuns(baseline, withSentinel(redraw(run, rng, () => 1.8), 13e9), OPTIONS);
    assert.equal(slowState.regressions, 0);
    assert.ok(slowState.cases.filter((x) => x.verdict === 'unstable').length > 0);
    assert.match(slowState.cases.find((x) => x.verdict === 'unstable')!.note!, /calibration GEMM ran at 13\.0 GFLOP\/s against 47\.0–48\.0/);
    // the same slowdown with the sentinel where it was: a regression
    assert.ok(compareRuns(baseline, withSentinel(redraw(run, rng, () => 1.8), 48e9), OPTIONS).regressions > 0);
  });

  it('exits 1 on a regression (with Markdown for CI), 0 on A/A, 2 across machines or on a bad file', () => {
    const dir = tempDir();
    const rng = new Rng(7);
    const base = join(dir, 'base.json');
    const same = join(dir, 'same.json');
    const slow = join(dir, 'slow.json');
    const other = join(dir, 'other.json');
    const baseRun = redraw(run, rng);
    writeFileSync(base, JSON.stringify(baseRun));
    // the exit-status path of A/A (the statistics of A/A are tested above, over many draws)
    writeFileSync(same, JSON.stringify({ ...baseRun, startedAt: new Date().toISOString() }));
    writeFileSync(slow, JSON.stringify(redraw(run, rng, (id) => (id.includes('/dense/') ? 1.3 : 1))));
    writeFileSync(other, JSON.stringify({ ...run, machine: { ...run.machine, id: 'ffffffffffff' } }));
    assert.equal(runCli(['compare', base, same]).status, 0);
    const md = runCli(['compare', base, slow, '--format', 'md', '--threshold', '10%']);
    assert.equal(md.status, 1);
    assert.match(md.stdout, /### fffbench compare: 🔴 \d+ regressions?/);
    assert.match(md.stdout, /\| node · js · dense \|/);
    const json = JSON.parse(runCli(['compare', base, slow, '--format', 'json']).stdout);
    assert.ok(json.comparisons[0].regressions > 0);
    const cross = runCli(['compare', base, other]);
    assert.equal(cross.status, 2);
    assert.match(cross.stderr, /never compared/);
    writeFileSync(join(dir, 'cut.json'), readFileSync(base, 'utf8').slice(0, 500));
    const cut = runCli(['compare', base, join(dir, 'cut.json')]);
    assert.equal(cut.status, 2);
    assert.match(cut.stderr, /cut\.json: not a complete JSON document/);
    writeFileSync(join(dir, 'newer.json'), JSON.stringify({ ...run, schemaVersion: 9 }));
    assert.match(runCli(['compare', base, join(dir, 'newer.json')]).stderr, /schemaVersion 9 is newer/);
    writeFileSync(join(dir, 'foreign.json'), JSON.stringify({ hello: 'world' }));
    assert.match(runCli(['merge', join(dir, 'foreign.json'), '-o', join(dir, 'm.json')]).stderr, /not an fffbench results file/);
    assert.equal(runCli(['compare', base, same, '--threshold', 'lots']).status, 2);
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
    assert.deepEqual(file.results.map((r) => r.id).sort(), expandCases(parsed).map((c) => c.id).sort());
    assert.equal(file.comparisons.length, file.results.length / 2);
    assert.match(file.suite.shard!, /merged 1\/3 \+ 2\/3 \+ 3\/3/);

    assert.equal(runCli(['merge', parts[0], parts[0], '-o', join(dir, 'dup.json')]).status, 2);
    const elsewhere = join(dir, 'elsewhere.json');
    writeFileSync(elsewhere, JSON.stringify({ ...JSON.parse(readFileSync(parts[1], 'utf8')), machine: { ...file.machine, id: 'aaaaaaaaaaaa', cpuModel: 'Other CPU' } }));
    const refused = runCli(['merge', parts[0], elsewhere, '-o', join(dir, 'mixed.json')]);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /2 machines.*--allow-machines/s);
    const bundled = runCli(['merge', parts[0], elsewhere, '-o', join(dir, 'bundle.json'), '--allow-machines']);
    assert.equal(bundled.status, 0, bundled.stderr);
    assert.equal(JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8')).bundle.length, 2);
  });
});

describe('history', () => {
  it('files runs per machine, lists them, and compares against the median of the last N', () => {
    const dir = tempDir();
    const history = join(dir, 'history');
    const suite = writeTinySuite(dir, { runtimes: ['node'], backends: ['js'], shapes: [{ inputDim: 8, outputDim: 2, depth: 1, leafWidth: 2, batchSize: 2, activation: 'relu' }] });
    for (const k of [1, 2]) {
      const r = runCli(['run', suite, '--out', join(dir, `run${k}.json`), '--history', history]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /filed in history: /);
    }
    const later = join(dir, 'later.json');
    writeFileSync(later, JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'run1.json'), 'utf8')), startedAt: '2030-01-01T00:00:00.000Z' }));
    const list = runCli(['history', history, '--add', later]);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /filed: .*2030-01-01/);
    assert.match(list.stdout, /machine [0-9a-f]{12}: .*\(3 runs\)/);
    // run1 against the last filed run, `later`: the same samples, so nothing may be flagged
    // (the plumbing is what is tested here; the statistics are tested above)
    const c = runCli(['compare', '--last', '1', '--history', history, join(dir, 'run1.json')]);
    assert.equal(c.status, 0, c.stderr + c.stdout);
    assert.match(c.stdout, /baseline: +tiny 2030-01-01/);
    assert.match(c.stdout, /0 regressions, 0 improvements, 2 unchanged/);
    assert.equal(runCli(['compare', '--last', '2', join(dir, 'run2.json')], { env: { FFFBENCH_HISTORY: '' } }).status, 2);
  });
});
