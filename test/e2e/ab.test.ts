/** fffbench ab: the paired serving workers in every runtime, their failures, old revisions, and the command end to end. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RunComparison } from '../../src/compare/compare.ts';
import type { Backend } from '../../src/backends/types.ts';
import { UserError } from '../../src/errors.ts';
import { prepareCase } from '../../src/execute/run-case.ts';
import { caseId, type CaseSpec } from '../../src/model/case.ts';
import { deriveSeed } from '../../src/model/rng.ts';
import type { RuntimeName } from '../../src/model/runtimes.ts';
import { trainingWidth, type ModelKind } from '../../src/model/shape.ts';
import { fileResults } from '../../src/results/history.ts';
import { pairOrder, runPaired, type PairedOptions } from '../../runners/ab-workers.ts';
import { workingTreeCheckout, type Checkout } from '../../runners/checkouts.ts';
import { machineFingerprint } from '../../runners/machine.ts';
import { craftResults } from '../crafted-results.ts';
import { jsDenseChunkPlant, slowerPlant } from '../plant-revision.ts';
import { ROOT, runCli, tempDir } from '../support.ts';

const MEASUREMENT = { minTimeMs: 6, minSamples: 3, maxSamples: 100_000, warmupSamples: 1, maxCaseTimeMs: 500, calibrate: false };

function tinyCase(runtime: RuntimeName, backend: string, model: ModelKind, depth: number): CaseSpec {
  const s = { inputDim: 12, outputDim: 3, depth, leafWidth: 2, batchSize: 2, activation: 'relu' as const };
  const shape = { ...s, trainingWidth: trainingWidth(s) };
  return { id: caseId(runtime, backend, model, shape), runtime, backend, model, shape };
}

function options(cases: CaseSpec[], checkouts: Record<'base' | 'head', Checkout>, extra: Partial<PairedOptions> = {}): PairedOptions {
  return {
    cases,
    checkouts,
    seed: 1,
    measurement: MEASUREMENT,
    memoryBudgetBytes: 2 ** 30,
    commandTimeoutMs: 60_000,
    rounds: 4,
    interleave: 1,
    warmupPairs: 1,
    roundMs: 1,
    settleMs: 1,
    ...extra,
  };
}

const git = (args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
const abWorktrees = () =>
  git(['worktree', 'list', '--porcelain'])
    .split('\n')
    .filter((l) => l.startsWith('worktree ') && l.includes('fffbench-ab-'));

describe('paired serving workers', () => {
  it('node, deno and bun: both sides check each case, then time it in every pair of rounds, in the order of the case seed, two cases interleaved', async () => {
    const here = workingTreeCheckout();
    const cases = (['node', 'deno', 'bun'] as const).flatMap((rt) => [tinyCase(rt, 'js', 'fff', 2), tinyCase(rt, 'js', 'dense', 2)]);
    const seen: string[] = [];
    const out = await runPaired(options(cases, { base: here, head: here }, { onCase: (c) => seen.push(c.id), interleave: 2 }));
    assert.deepEqual(
      seen,
      cases.map((c) => c.id),
      'runtime by runtime, in the suite order',
    );
    out.forEach((o, k) => {
      const id = cases[k].id;
      for (const side of [o.base, o.head]) {
        assert.equal(side.status, 'ok', `${id}: ${side.reason}`);
        assert.ok(side.check?.ok, `${id}: checked against the reference`);
        assert.equal(side.runtime.name, cases[k].runtime);
      }
      assert.equal(o.rounds!.base.length, 4);
      assert.equal(o.rounds!.head.length, 4);
      assert.ok([...o.rounds!.base, ...o.rounds!.head].every((x) => x > 0 && Number.isFinite(x)));
      assert.deepEqual(o.rounds!.headFirst, pairOrder(4, deriveSeed(1, `ab/${id}`)));
    });
  });

  it("a confirmation's pair, head's worker started first, times the cases as the first pair did", async () => {
    const here = workingTreeCheckout();
    const cases = [tinyCase('node', 'js', 'fff', 3), tinyCase('node', 'js', 'dense', 3)];
    const out = await runPaired(options(cases, { base: here, head: here }, { startHeadFirst: true, interleave: 2 }));
    for (const o of out) {
      assert.equal(o.base.status, 'ok', o.base.reason);
      assert.equal(o.head.status, 'ok', o.head.reason);
      assert.equal(o.rounds!.base.length, 4);
    }
  });

  it('a case that throws, hangs, kills its worker or garbles its message fails on its side, and a fresh pair carries on with the cases interleaved beside it', async () => {
    const here = workingTreeCheckout();
    const cases = [0, 1, 2, 3, 4, 5].flatMap((d) => [tinyCase('node', 'faulty', 'fff', d), tinyCase('node', 'faulty', 'dense', d)]);
    const saved = process.env.FFFBENCH_BACKEND_MODULES;
    process.env.FFFBENCH_BACKEND_MODULES = `faulty=${join(ROOT, 'test', 'fixtures', 'faulty-backend.ts')}`;
    try {
      const out = await runPaired(options(cases, { base: here, head: here }, { commandTimeoutMs: 4000, rounds: 2, interleave: 4 }));
      const at = (model: string, depth: number) => out[cases.findIndex((c) => c.model === model && c.shape.depth === depth)];
      for (const d of [0, 1, 2, 3, 4, 5])
        assert.ok(at('dense', d).rounds, `dense d${d} timed on both sides: ${at('dense', d).base.reason ?? at('dense', d).head.reason}`);
      assert.ok(at('fff', 0).rounds && at('fff', 5).rounds, 'the cases before and after the failures');
      assert.match(at('fff', 1).base.reason!, /planted failure: the kernel threw/);
      assert.match(at('fff', 1).head.reason!, /planted failure: the kernel threw/);
      assert.match(at('fff', 2).base.reason!, /base worker: timed out after 4 s/);
      assert.match(at('fff', 3).base.reason!, /base worker: worker killed by SIGKILL/);
      assert.match(at('fff', 4).base.reason!, /base worker: the worker's message could not be read/);
      for (const d of [2, 3, 4]) {
        assert.equal(at('fff', d).base.status, 'failed');
        assert.equal(at('fff', d).head.status, 'skipped');
        assert.match(at('fff', d).head.reason!, /the base worker failed on this case/);
      }
    } finally {
      if (saved === undefined) delete process.env.FFFBENCH_BACKEND_MODULES;
      else process.env.FFFBENCH_BACKEND_MODULES = saved;
    }
  });

  it('a revision whose worker predates the round protocol, or has none for the runtime, is refused with the oldest revision that serves it', async () => {
    const old = tempDir();
    mkdirSync(join(old, 'runners'));
    symlinkSync(join(ROOT, 'node_modules'), join(old, 'node_modules'), 'dir');
    // a worker from before ab: says hello without a protocol and runs its (empty) list of cases
    writeFileSync(
      join(old, 'runners', 'worker-node.ts'),
      `import { writeSync } from 'node:fs';\nwriteSync(1, '@@fffbench {"type":"hello","runtime":"node","version":"20.0.0"}\\n');\n`,
    );
    writeFileSync(join(old, 'package.json'), '{"type":"module"}');
    const base: Checkout = { root: old, revision: { revision: 'v0.0.1', commit: 'c'.repeat(40) }, remove() {} };
    const here = workingTreeCheckout();
    for (const runtime of ['node', 'bun'] as const) {
      await assert.rejects(runPaired(options([tinyCase(runtime, 'js', 'fff', 1)], { base, head: here })), (err: Error) => {
        assert.ok(err instanceof UserError, err.message);
        assert.match(err.message, /the base revision v0\.0\.1 \(cccccccc\) predates fffbench ab/);
        assert.match(err.message, new RegExp(`its ${runtime} worker does not serve the round protocol`));
        assert.match(err.message, /Pick a base at or after commit [0-9a-f]{7,}/);
        return true;
      });
    }
  });
});

describe('fffbench ab', () => {
  const dir = tempDir();
  const suite = join(dir, 'ab-tiny.json');
  writeFileSync(
    suite,
    JSON.stringify({
      name: 'ab-tiny',
      runtimes: ['node'],
      backends: ['js'],
      sweeps: [{ inputDim: 12, outputDim: 3, leafWidth: 2, depth: [1, 2], batchSize: 2 }],
      measurement: MEASUREMENT,
    }),
  );

  it('bad input exits 2 before anything is checked out, naming the option', () => {
    const cases: [string[], RegExp][] = [
      [[suite], /give the base: --base REV, or --base-history DIR/],
      [['--base', 'HEAD', '--base-history', dir, suite], /one of them/],
      [['--base', 'no-such-revision-xyz', suite], /--base: "no-such-revision-xyz" is not a commit of this repository/],
      [['--base', 'HEAD', '--head', 'no-such-revision-xyz', suite], /--head: "no-such-revision-xyz" is not a commit/],
      [['--base', 'HEAD', '--rounds', '0', suite], /--rounds: expected a whole number of pairs from 1 to 1000/],
      [['--base', 'HEAD', '--format', 'csv', suite], /--format: expected md, json or table/],
      [['--base', 'HEAD', '--threshold', 'x', suite], /--threshold/],
      [['--base', 'HEAD', '--backends', 'cuda', suite], /--backends: unknown "cuda"/],
      [['--base', 'HEAD', suite, suite], /ab takes one suite/],
      [['--base', 'HEAD', '--interleave', '0', suite], /--interleave: expected a whole number of cases from 1 to 64/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(['ab', ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    assert.deepEqual(abWorktrees(), []);
  });

  it('--help says what it costs', () => {
    const r = runCli(['ab', '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /about twice the suite's time/);
    assert.match(runCli(['--help']).stdout, /\n {2}ab /);
  });

  it('A/A, --base HEAD --head HEAD: two worktrees of one commit, every case checked and timed in rounds, Markdown out, JSON written, the worktrees removed', () => {
    const out = join(dir, 'aa.json');
    // 6 pairs: the smallest p (2 / 2⁶) cannot pass alpha / 4 cases, so this exit status is no timing
    const r = runCli(['ab', '--base', 'HEAD', '--head', 'HEAD', suite, '--rounds', '6', '--format', 'md', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    const head = git(['rev-parse', 'HEAD']);
    assert.match(
      r.stdout,
      /^### fffbench ab: ✅ 0 regressions, 0 improvements, 4 unchanged \(threshold 5\.0%, alpha 0\.01 by Holm over 4 cases; 6 pairs of rounds of about 1 ms per case/,
    );
    assert.match(r.stdout, new RegExp(`base: HEAD \\(${head.slice(0, 8)}\\)`));
    assert.match(r.stdout, /_With 6 pairs of rounds the signed-rank test's smallest p is 3\.1e-2/);
    assert.match(r.stderr, /\[4\/4\] node\/js\/dense\/\S+: head \/ base \d\.\d{3} over 6 pairs/);
    const { comparisons, notes } = JSON.parse(readFileSync(out, 'utf8')) as { comparisons: RunComparison[]; notes: string[] };
    assert.equal(notes.length, 1);
    const [c] = comparisons;
    assert.deepEqual([c.paired!.base.commit, c.paired!.head.commit], [head, head]);
    assert.equal(c.paired!.rounds, 6);
    assert.equal(c.machineId, machineFingerprint().id);
    assert.equal(c.cases.length, 4);
    for (const x of c.cases) {
      assert.equal(x.test, 'paired-rounds');
      assert.equal(x.paired!.base.length, 6);
      assert.ok(x.change! > -1 && x.p! > 0);
    }
    assert.deepEqual(abWorktrees(), [], 'the worktrees are removed');
    assert.ok(existsSync(join(ROOT, 'node_modules', '.bin')), "this checkout's node_modules survived the worktrees' removal");
  });

  it('--base-history: the base is the commit of the latest run of the suite; none there, or head measured already, says so', () => {
    const history = join(dir, 'history');
    const none = runCli(['ab', '--base-history', history, suite]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /history directory .* does not exist|no run of suite ab-tiny/);
    const head = git(['rev-parse', 'HEAD']);
    const crafted = (suiteName: string, startedAt: string, commit: string, machine?: string) => ({
      ...craftResults([{ shape: { inputDim: 12, outputDim: 3, depth: 1, leafWidth: 2, batchSize: 2 }, speedup: 1 }], {
        suite: suiteName,
        ...(machine ? { machine: { ...machineFingerprint(), id: machine } } : {}),
      }),
      startedAt,
      git: { commit, dirty: false },
    });
    // the latest of the suite, on whichever machine, is head's; an older run and another suite's later one are not
    fileResults(history, crafted('ab-tiny', '2026-01-01T00:00:00.000Z', 'd'.repeat(40)));
    fileResults(history, crafted('ab-tiny', '2026-01-02T00:00:00.000Z', head, 'another-machine'));
    fileResults(history, crafted('quick', '2026-01-03T00:00:00.000Z', 'e'.repeat(40)));
    const same = runCli(['ab', '--base-history', history, '--head', 'HEAD', suite]);
    assert.equal(same.status, 0, same.stderr);
    assert.match(same.stdout, new RegExp(`nothing to compare: the latest run in .* measured head's commit ${head.slice(0, 8)}`));
    assert.deepEqual(abWorktrees(), []);
  });
});

describe('planted revisions (test/plant-revision.ts)', () => {
  it('both plants apply to this tree, and the planted kernels still pass the reference check', async () => {
    const copy = tempDir();
    cpSync(join(ROOT, 'src'), join(copy, 'src'), { recursive: true });
    slowerPlant('js', 1.5, 'fff').apply(copy);
    jsDenseChunkPlant(4).apply(copy);
    assert.match(readFileSync(join(copy, 'src', 'backends', 'js', 'index.ts'), 'utf8'), /const HIDDEN_CHUNK = 4;/);
    const { loadBackend } = (await import(join(copy, 'src', 'backends', 'registry.ts'))) as { loadBackend(name: string): Promise<Backend> };
    const js = await loadBackend('js');
    assert.ok((await js.init({ runtime: 'node', cores: 1 })).ok);
    for (const model of ['fff', 'dense'] as const) {
      const c = tinyCase('node', 'js', model, 6);
      const prepared = await prepareCase(c, js, { seed: 1, memoryBudgetBytes: 2 ** 30, runtimeVersion: process.versions.node });
      assert.equal(prepared.result.status, 'ok', `${model}: ${prepared.result.reason}`);
      assert.equal(prepared.result.backend.denseKernel, 'packed 4x4 register-blocked GEMM, hidden layer in chunks of 4');
      await prepared.call!();
      await prepared.dispose();
    }
    assert.throws(() => slowerPlant('js', 1.5).apply(copy), /expected " {2}return load\(\);\n}" exactly once/, 'an anchor that moved is an error');
    assert.throws(() => slowerPlant('nope', 1.1), /--backend: unknown "nope"/);
  });
});
