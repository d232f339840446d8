import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lastRuns, readHistory } from '../../src/results/history.ts';
import type { ResultsFile } from '../../src/results/schema.ts';
import { buildTrend } from '../../reports/trend/model.ts';
import { machineStateLines } from '../../reports/trend/text.ts';
import { plantSlowdown } from '../plant-slowdown.ts';
import { runCli, tempDir, writeTinySuite } from '../support.ts';

const TINY = {
  runtimes: ['node'],
  backends: ['js'],
  shapes: [{ inputDim: 64, outputDim: 8, depth: 3, leafWidth: 4, batchSize: 16, activation: 'relu' as const }],
};

/** Runs the tiny suite `count` times, filing each run in `history`; returns the results paths. */
function tinyRuns(dir: string, history: string, count: number): string[] {
  const suite = writeTinySuite(dir, TINY);
  return Array.from({ length: count }, (_, k) => {
    const out = join(dir, `run${k + 1}.json`);
    const r = runCli(['run', suite, '--out', out, '--history', history]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /filed in history: /);
    return out;
  });
}

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as ResultsFile;

describe('history', () => {
  const dir = tempDir();
  const history = join(dir, 'history');
  const runs = tinyRuns(dir, history, 4);

  it('files runs per machine id and lists them; a candidate is compared only with runs that started before it', () => {
    const list = runCli(['history', history]);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /machine [0-9a-f]{12}: .*family .* model .* stepping .*\(4 runs\)/);
    const first = read(runs[0]);
    assert.equal(lastRuns(history, first.machine.id, 'tiny', 5, first.startedAt).length, 0, 'nothing before the first run');
    const fourth = read(runs[3]);
    assert.deepEqual(
      lastRuns(history, fourth.machine.id, 'tiny', 2, fourth.startedAt).map((f) => f.startedAt),
      [read(runs[1]).startedAt, read(runs[2]).startedAt],
    );
    const c = runCli(['compare', '--last', '3', '--history', history, runs[3]]);
    assert.ok(c.status === 0 || c.status === 1, c.stderr);
    assert.match(c.stdout, /3 baseline runs/);
    assert.doesNotMatch(c.stdout, /not gated/);
    assert.equal(runCli(['compare', '--last', '2', runs[3]], { env: { FFFBENCH_HISTORY: '' } }).status, 2);
  });

  it('compare measures a flagged case again in a fresh worker: a planted slowdown is not confirmed, a real one is', () => {
    const candidate = read(runs[3]);
    const planted = join(dir, 'planted.json');
    // 100x: with 2 cases a backend and 3 runs the threshold is the case's own spread (t, 2 df), and
    // on a loaded machine a tiny case's runs can spread 30% or more; a re-run can be a few times slower, never 100
    const { file, planted: keys } = plantSlowdown(candidate, 1, 100, 1);
    writeFileSync(planted, JSON.stringify(file));
    const flagged = runCli(['compare', '--last', '3', '--history', history, planted, '--format', 'json', '--no-confirm']);
    assert.equal(flagged.status, 1, 'without a re-run the planted 100x slowdown fails');
    assert.deepEqual(
      JSON.parse(flagged.stdout)
        .comparisons[0].cases.filter((c: { outcome: string }) => c.outcome === 'regression')
        .map((c: { key: string }) => c.key),
      keys,
    );
    const confirmed = runCli(['compare', '--last', '3', '--history', history, planted, '--format', 'md']);
    assert.equal(confirmed.status, 0, confirmed.stdout + confirmed.stderr);
    assert.match(confirmed.stdout, /0 regressions \(1 flagged, 1 re-run, 0 confirmed\)/);
    assert.match(confirmed.stdout, /not confirmed \(3 re-runs [+-]\d/);
    // a real slowdown: the history made 100x faster stands for code that used to be faster
    const fastHistory = join(dir, 'fast-history');
    for (const path of runs.slice(0, 3)) {
      const { file: fast } = plantSlowdown(read(path), 1000, 1 / 100, 1);
      runCli(['history', fastHistory, '--add', writeTemp(dir, fast)]);
    }
    const real = runCli(['compare', '--last', '3', '--history', fastHistory, runs[3]]);
    assert.equal(real.status, 1, real.stdout + real.stderr);
    assert.match(real.stdout, /regressions? \(\d+ flagged, \d+ re-run, [1-9]\d* confirmed\)/);
  });

  it('a night whose Node version changed is reported as a runtime change, with both versions, and not gated for it (compare and the trend)', () => {
    const candidate = read(runs[3]);
    const before = candidate.results.find((r) => r.status === 'ok')!.runtime.version;
    // 10^4: a case's threshold is its own spread over 3 runs (t, 2 df), which a loaded machine can make large
    const { file: slower, planted } = plantSlowdown(candidate, 1, 1e4, 1);
    const upgraded: ResultsFile = { ...slower, results: slower.results.map((r) => ({ ...r, runtime: { ...r.runtime, version: '99.1.0' } })) };
    const path = writeTemp(dir, upgraded);
    const c = runCli(['compare', '--last', '3', '--history', history, path, '--format', 'md', '--no-confirm']);
    assert.equal(c.status, 0, `the slowdown on a changed runtime fails nothing\n${c.stdout}${c.stderr}`);
    assert.match(c.stdout, new RegExp(`Runtime changed: node ${before.replace(/\./g, '\\.')} → 99\\.1\\.0`));
    assert.match(c.stdout, /runtime changed \(not judged\)/);
    // the planted case moved; the other may have too, by the machine's noise (a tiny js case's runs
    // here have spread 2.7x): either way nothing is judged on the changed runtime
    assert.match(c.stdout, /0 regressions, 0 improvements, .*[12] moved on a changed runtime/);
    const [runtime, backend, model] = planted[0].split('/');
    assert.match(c.stdout, new RegExp(`${runtime} · ${backend} · ${model} \\| .*⚠️ runtime changed \\(not judged\\)`));
    // the trend over the history with that night filed says so too, and marks no regression
    const trend = buildTrend([...readHistory(history).values().next().value!.slice(0, 3), { path, file: upgraded }]);
    assert.deepEqual(trend.runs.at(-1)!.runtimeChanges, [`node ${before} → 99.1.0`]);
    assert.equal(trend.marks.filter((m) => m.runIndex === 3).length, 0);
    assert.ok(machineStateLines(trend).some((l) => l.includes(`runtime changed, node ${before} → 99.1.0`)));
  });

  it('--prune keeps the last N runs in full and reduces older ones to medians and intervals that compare still reads', () => {
    const pruned = runCli(['history', history, '--prune', '--keep', '2']);
    assert.equal(pruned.status, 0, pruned.stderr);
    assert.match(pruned.stdout, /pruned: 2 runs reduced to medians and intervals, 2 kept in full/);
    const entries = readHistory(history).values().next().value!;
    assert.deepEqual(
      entries.map((e) => Boolean(e.file.reduced)),
      [true, true, false, false],
    );
    const old = entries[0].file.results.find((r) => r.stats)!;
    assert.equal(old.stats!.samples.length, 0);
    assert.ok(old.stats!.median > 0 && old.stats!.ciLow <= old.stats!.median && old.stats!.ciHigh >= old.stats!.median);
    assert.match(runCli(['history', history]).stdout, /\(reduced\)/);
    const c = runCli(['compare', '--last', '3', '--history', history, runs[3]]);
    assert.ok(c.status === 0 || c.status === 1, c.stderr);
    assert.match(c.stdout, /3 baseline runs/);
    assert.equal(runCli(['history', history, '--keep', '2']).status, 2, '--keep without --prune');
    assert.equal(readdirSync(history).length, 1, 'one machine folder');
  });
});

function writeTemp(dir: string, file: ResultsFile): string {
  const path = join(dir, `t-${file.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(path, JSON.stringify(file));
  return path;
}
