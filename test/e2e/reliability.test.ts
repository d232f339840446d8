import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { UserError } from '../../src/errors.ts';
import { Rng } from '../../src/model/rng.ts';
import type { ResultsFile } from '../../src/results/schema.ts';
import { expandCases } from '../../suites/expand.ts';
import { loadSuite, parseSuite } from '../../suites/load.ts';
import { ROOT, runCli, tempDir } from '../support.ts';

const FAULTY = `faulty=${join(ROOT, 'test', 'fixtures', 'faulty-backend.ts')}`;
const tinyMeasurement = { minTimeMs: 5, minSamples: 3, maxCaseTimeMs: 200, warmupSamples: 1 };

describe('a failing case never loses the run', () => {
  it('a backend that throws, one that hangs, one that kills its process and one whose message is cut short: those fail, all others are ok', () => {
    const dir = tempDir();
    const suite = join(dir, 'faults.json');
    writeFileSync(
      suite,
      JSON.stringify({
        name: 'faults',
        runtimes: ['node'],
        backends: ['faulty'],
        sweeps: [{ inputDim: 12, outputDim: 3, leafWidth: 2, depth: [0, 1, 2, 3, 4, 5], batchSize: 2 }],
        measurement: tinyMeasurement,
      }),
    );
    const out = join(dir, 'out.json');
    const r = runCli(['run', suite, '--out', out, '--case-timeout', '4'], { env: { FFFBENCH_BACKEND_MODULES: FAULTY } });
    assert.equal(r.status, 0, r.stderr);
    const file = JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;
    const status = Object.fromEntries(file.results.map((x) => [`${x.model}/d${x.shape.depth}`, x]));
    assert.equal(file.results.length, 12);
    assert.match(status['fff/d1'].reason!, /planted failure: the kernel threw/);
    assert.match(status['fff/d2'].reason!, /timed out after 4 s/);
    assert.match(status['fff/d3'].reason!, /killed by SIGKILL/);
    assert.match(status['fff/d4'].reason!, /the worker's message could not be read/);
    const failing = ['fff/d1', 'fff/d2', 'fff/d3', 'fff/d4'];
    for (const key of failing) assert.equal(status[key].status, 'failed', key);
    for (const [key, x] of Object.entries(status)) if (!failing.includes(key)) assert.equal(x.status, 'ok', `${key}: ${x.reason}`);
    assert.equal(existsSync(`${out}.journal`), false, 'journal removed after the results file is written');
  });
});

describe('worker messages go out whole', () => {
  it('a 4 MB message through a full pipe that is read late arrives complete', async () => {
    const dir = tempDir();
    const script = join(dir, 'write.ts');
    // process.stdout makes libuv open fd 1 non-blocking, as it is in a worker; a plain writeSync then wrote 219 kB of 4 MB here
    writeFileSync(
      script,
      `import { writeMessageSync } from ${JSON.stringify(join(ROOT, 'runners', 'workers', 'write-message.ts'))};\nprocess.stdout;\nwriteMessageSync(1, 'x'.repeat(4_000_000) + '\\n');\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const closed = new Promise((r) => child.once('close', r));
    child.stdout.pause();
    await new Promise((r) => setTimeout(r, 1500)); // the child has filled the pipe and waits
    let received = 0;
    child.stdout.on('data', (chunk: Buffer) => (received += chunk.length));
    child.stdout.resume();
    assert.equal(await closed, 0);
    assert.equal(received, 4_000_001);
  });
});

describe('an interrupted run resumes', () => {
  it('killed with SIGKILL midway, then --resume, ends with the same cases as an uninterrupted run', async () => {
    const dir = tempDir();
    const suiteFile = join(dir, 'long.json');
    writeFileSync(
      suiteFile,
      JSON.stringify({
        name: 'long',
        runtimes: ['node'],
        sweeps: [{ inputDim: 16, outputDim: 4, leafWidth: [1, 2], depth: [0, 1, 2, 3, 4, 5], batchSize: 3 }],
        measurement: { ...tinyMeasurement, minTimeMs: 150 },
      }),
    );
    const out = join(dir, 'out.json');
    const journal = `${out}.journal`;
    // detached: its own process group, so the kill takes the worker down too, as a machine-level kill would
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'runners', 'cli.ts'), 'run', suiteFile, '--out', out], {
      cwd: ROOT,
      detached: true,
      stdio: 'ignore',
    });
    const deadline = Date.now() + 60_000;
    const journalled = () =>
      existsSync(journal)
        ? readFileSync(journal, 'utf8')
            .split('\n')
            .filter((l) => l.includes('"type":"result"')).length
        : 0;
    while (journalled() < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const before = journalled();
    assert.ok(before >= 4 && before < 24, `killed midway (${before} of 24 in the journal)`);
    assert.equal(existsSync(out), false, 'no results file from a killed run');

    const resumed = runCli(['run', '--resume', journal]);
    assert.equal(resumed.status, 0, resumed.stderr);
    const file = JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;
    const { suite } = loadSuite(suiteFile);
    const expected = expandCases(suite)
      .map((c) => c.id)
      .sort();
    assert.deepEqual(file.results.map((r) => r.id).sort(), expected);
    assert.ok(file.results.every((r) => r.status === 'ok'));
    assert.equal(file.comparisons.length, 12);
  });

  it('--resume with a missing or foreign journal exits 2', () => {
    const dir = tempDir();
    assert.equal(runCli(['run', '--resume', join(dir, 'nope.journal')]).status, 2);
    const foreign = join(dir, 'foreign.journal');
    writeFileSync(foreign, '{"hello": 1}\n');
    const r = runCli(['run', '--resume', foreign]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /not an fffbench journal/);
  });
});

describe('bad suites: mutation fuzz', () => {
  const base = {
    name: 'fuzz',
    runtimes: ['node'],
    backends: ['js'],
    sweeps: [{ inputDim: [8, 16], outputDim: 3, leafWidth: 2, depth: { from: 0, to: 2 }, batchSize: [1, 4], activation: ['relu'] }],
    measurement: { minTimeMs: 5, minSamples: 3, maxSamples: 100, warmupSamples: 1, maxCaseTimeMs: 100 },
    seed: 3,
    limits: { maxWeightBytes: 1048576 },
  };
  const nasty = [-1, 0, 1.5, 1e12, 2 ** 40, 'x', '', null, true, [], [0], {}, { from: 5, to: 1 }, 'node', ['cuda'], NaN];

  /** Random edits: replace a value, delete a key, misspell a key, add a key, change a list. */
  function mutate(rng: Rng): unknown {
    const suite = structuredClone(base) as Record<string, unknown>;
    const objects: Record<string, unknown>[] = [
      suite,
      (suite.sweeps as Record<string, unknown>[])[0],
      suite.measurement as Record<string, unknown>,
      suite.limits as Record<string, unknown>,
    ];
    const edits = 1 + Math.floor(rng.next() * 3);
    for (let e = 0; e < edits; e++) {
      const target = objects[Math.floor(rng.next() * objects.length)];
      const keys = Object.keys(target);
      const key = keys[Math.floor(rng.next() * keys.length)];
      const kind = Math.floor(rng.next() * 5);
      if (kind === 0) target[key] = nasty[Math.floor(rng.next() * nasty.length)];
      else if (kind === 1) delete target[key];
      else if (kind === 2) {
        target[`${key.slice(0, -1)}${key.endsWith('s') ? '' : 's'}`] = target[key];
        delete target[key];
      } else if (kind === 3) target[`extra${e}`] = 1;
      else target[key] = [target[key], nasty[Math.floor(rng.next() * nasty.length)]];
    }
    return suite;
  }

  it('every random edit either validates and expands, or is a UserError naming the file and a field', () => {
    const rng = new Rng(2024);
    let rejected = 0;
    for (let t = 0; t < 400; t++) {
      const input = mutate(rng);
      try {
        const suite = parseSuite(input, 'fuzz.json');
        expandCases(suite, 'fuzz.json');
      } catch (err) {
        assert.ok(err instanceof UserError, `edit ${t} threw ${(err as Error).stack}\n${JSON.stringify(input)}`);
        const lines = err.message.split('\n').filter((l) => l.startsWith('fuzz.json'));
        assert.ok(lines.length > 0, `edit ${t}: no line names the file: ${err.message}`);
        for (const line of lines) assert.match(line, /^fuzz\.json: [^:]+: .+/, `edit ${t}: ${line}`);
        rejected++;
      }
    }
    assert.ok(rejected > 200, `most edits are invalid (${rejected})`);
  });

  it('through the CLI: invalid edits exit 2 without a stack trace, a valid one runs', () => {
    const rng = new Rng(7);
    const dir = tempDir();
    let invalid = 0;
    let valid = 0;
    for (let t = 0; t < 60 && (invalid < 6 || valid < 1); t++) {
      const input = mutate(rng);
      let ok = true;
      try {
        expandCases(parseSuite(input, 'x'), 'x');
      } catch {
        ok = false;
      }
      if ((ok && valid >= 1) || (!ok && invalid >= 6)) continue;
      const file = join(dir, `m${t}.json`);
      writeFileSync(file, JSON.stringify(input));
      const r = runCli(['run', file, '--out', join(dir, `m${t}.out.json`)]);
      if (ok) {
        assert.equal(r.status, 0, r.stderr);
        valid++;
      } else {
        assert.equal(r.status, 2, `${JSON.stringify(input)}\n${r.stderr}`);
        assert.match(r.stderr, new RegExp(`m${t}\\.json`));
        assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
        invalid++;
      }
    }
    assert.ok(invalid >= 6 && valid >= 1);
  });

  it('a bad --shard exits 2', () => {
    const r = runCli(['run', 'quick', '--shard', '5/3']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--shard: "5\/3" is not K\/N with 1 ≤ K ≤ N/);
  });

  it('misspelt fields get a suggestion', () => {
    assert.throws(
      () => parseSuite({ ...base, sweeps: [{ ...base.sweeps[0], batchsize: 1 }] }, 'f.json'),
      /sweeps\[0\]\.batchsize: unknown field \(did you mean "batchSize"\?\)/,
    );
  });
});
