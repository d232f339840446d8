/**
 * The native backend (src/backends/native/): its build at install (with and without a compiler),
 * the addon loaded by node, deno and bun, the FFF and UltraFastBERT's tree against the float64
 * reference on odd shapes, bit-identical at every thread count and in one phase or two, the other
 * vector paths (x86-64: AVX2 + FMA and portable vectors; NEON cross-compiled and run under qemu where
 * those tools are installed), and reading the arrays in place.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { copiedBytes, createNativeBackend, NATIVE_THREADED_FROM_MICROS } from '../../src/backends/native/index.ts';
import { loadAddon, type BuildRecord } from '../../src/backends/native/addon.ts';
import { ADDON_FILE, BUILD_INFO_FILE, DEFAULT_BUILD_DIR, SOURCE_DIR, sourceFiles } from '../../src/backends/native/sources.mjs';
import { singleThreadMicros } from '../../src/backends/wasm-mt/options.ts';
import { checkOutput } from '../../src/execute/check.ts';
import { runCase } from '../../src/execute/run-case.ts';
import { Rng } from '../../src/model/rng.ts';
import type { LayerShape } from '../../src/model/shape.ts';
import { initFff, initUfb, type FffWeights } from '../../src/model/weights.ts';
import type { ResultsFile } from '../../src/results/schema.ts';
import { checkOddShapes, NATIVE_ODD_SHAPES, VARIANTS, type OddShape } from '../fixtures/native-odd-shapes.ts';
import {
  assertUfbOddShapes,
  assertUfbOddShapesInWorkers,
  caseFor,
  randomShapes,
  ROOT,
  runCli,
  runTinySuite,
  TEST_CASE_CONTEXT,
  tempDir,
  writeTinySuite,
} from '../support.ts';

const BUILD_SCRIPT = join(ROOT, 'src', 'backends', 'native', 'build.mjs');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'native-odd-shapes.ts');
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
const cpuFlags = existsSync('/proc/cpuinfo')
  ? new Set((/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').trim().split(/\s+/))
  : new Set<string>();

/** Runs build.mjs into `dir` with `env` added (and CC removed unless given). */
function buildInto(dir: string, env: Record<string, string> = {}) {
  const { CC: _cc, ...rest } = process.env;
  const r = spawnSync(process.execPath, [BUILD_SCRIPT], { encoding: 'utf8', env: { ...rest, FFFBENCH_NATIVE_DIR: dir, ...env }, timeout: 300_000 });
  const record = existsSync(join(dir, BUILD_INFO_FILE)) ? (JSON.parse(readFileSync(join(dir, BUILD_INFO_FILE), 'utf8')) as BuildRecord) : undefined;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, record };
}

/**
 * The install's build (npm ci ran build.mjs). A machine without a C compiler skips the tests that need
 * the addon, with the reason; any other failure of the build fails them.
 */
function installedBuild(t: TestContext): boolean {
  const loaded = loadAddon(DEFAULT_BUILD_DIR);
  if (!loaded.ok && /^not built: no C compiler/.test(loaded.reason)) {
    t.skip(loaded.reason);
    return false;
  }
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.reason);
  return true;
}

/** What a forced-thread backend with `threads` threads runs `weights` at `batch` on. */
async function threadedBackend(threads: number, dir?: string) {
  const backend = createNativeBackend({ threads, threadedFromMicros: { fff: 0, ufb: 0 }, dir });
  const ok = await backend.init({ runtime: 'node', cores: 2 });
  assert.ok(ok.ok, ok.ok ? '' : ok.reason);
  return backend;
}

describe('native backend', () => {
  it('is built at install: build.json records the compiler, its version, the flags and the vector ISA, and info() says what ran', async (t) => {
    if (!installedBuild(t)) return;
    const record = JSON.parse(readFileSync(join(DEFAULT_BUILD_DIR, BUILD_INFO_FILE), 'utf8')) as BuildRecord;
    assert.ok(record.ok);
    for (const flag of ['-std=c11', '-O3', '-ffp-contract=off', '-shared', '-fPIC']) assert.ok(record.flags.includes(flag), flag);
    assert.ok(record.flags.includes(process.arch === 'arm64' ? '-mcpu=native' : '-march=native'), record.flags.join(' '));
    const expected =
      process.arch === 'arm64' ? 'neon' : cpuFlags.has('avx512f') ? 'avx512f' : cpuFlags.has('avx2') && cpuFlags.has('fma') ? 'avx2+fma' : 'scalar';
    assert.equal(record.isa, expected);
    assert.equal(record.vectorBits, { avx512f: 512, 'avx2+fma': 256, neon: 128, scalar: 128 }[expected]);
    const backend = createNativeBackend();
    assert.deepEqual(await backend.init({ runtime: 'node', cores: 2 }), { ok: true });
    const info = backend.info();
    assert.equal(info.version, `1 (${expected})`);
    assert.ok(info.notes!.includes(record.compilerVersion) && info.notes!.includes(record.flags.join(' ')), info.notes ?? '');
    assert.match(info.fffStrategy, new RegExp(`^C kernels, ${expected.replace('+', '\\+')}:`));
    assert.deepEqual(backend.models, ['fff', 'ufb']);
  });

  it('FFF and tree on the odd shapes (i = 33, o = 7, ℓ 1, 6, 32, depth 0, 1, 4, 5, batch 1, 3, 257, ReLU and GELU) match the float64 reference at 1, 2 and 3 threads, in one phase and two, bit-identical', async (t) => {
    if (!installedBuild(t)) return;
    const { failures, kernels } = await checkOddShapes(NATIVE_ODD_SHAPES);
    assert.deepEqual(failures, []);
    assert.equal(kernels, NATIVE_ODD_SHAPES.length * VARIANTS.length);
  });

  it('the same in deno and bun: one addon, loaded by each runtime', (t) => {
    if (!installedBuild(t)) return;
    for (const [runtime, command] of [
      ['deno', [bin('deno'), 'run', '-A', FIXTURE]],
      ['bun', [bin('bun'), FIXTURE]],
    ] as const) {
      const r = spawnSync(command[0], command.slice(1), { encoding: 'utf8', cwd: ROOT, timeout: 240_000 });
      assert.equal(r.status, 0, `${runtime}: ${r.stderr}`);
      const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { runtime: string; failures: string[]; kernels: number };
      assert.equal(result.runtime, runtime);
      assert.deepEqual(result.failures, [], runtime);
      assert.equal(result.kernels, NATIVE_ODD_SHAPES.length * VARIANTS.length, runtime);
    }
  });

  it('wider shapes: outputs in register chunks and streamed (4 MiB and more), wide leaves over several vectors, small leaves with wide outputs; bit-identical at 1, 2 and 3 threads', async (t) => {
    if (!installedBuild(t)) return;
    const shapes: OddShape[] = [
      { model: 'ufb', shape: { inputDim: 16, outputDim: 256, depth: 3, leafWidth: 1, activation: 'gelu', tree: 'ufb' }, batch: 4100 },
      { model: 'fff', shape: { inputDim: 24, outputDim: 256, depth: 3, leafWidth: 40, activation: 'relu' }, batch: 4100 },
      { model: 'fff', shape: { inputDim: 24, outputDim: 256, depth: 6, leafWidth: 2, activation: 'gelu' }, batch: 4100 },
      { model: 'ufb', shape: { inputDim: 100, outputDim: 37, depth: 8, leafWidth: 1, activation: 'relu', tree: 'ufb' }, batch: 600 },
      { model: 'fff', shape: { inputDim: 100, outputDim: 37, depth: 8, leafWidth: 9, activation: 'gelu' }, batch: 600 },
    ];
    const { failures } = await checkOddShapes(shapes);
    assert.deepEqual(failures, []);
    // the large outputs were streamed where the ISA has non-temporal stores
    const isa = loadAddon(DEFAULT_BUILD_DIR);
    const streams = isa.ok && (isa.build.isa === 'avx512f' || isa.build.isa === 'avx2+fma');
    const backend = await threadedBackend(2);
    for (const [k, s] of shapes.entries()) {
      const kernel = await backend.prepare(s.model === 'fff' ? initFff(s.shape, 1) : initUfb(s.shape, 1), s.batch);
      assert.equal(kernel.facts.streamed, streams && k < 3, `shape ${k}`);
      await kernel.dispose();
    }
  });

  it('passes the UltraFastBERT odd shapes through runCase, two batches through each kernel (3 threads forced), and random FFF shapes', async (t) => {
    if (!installedBuild(t)) return;
    const backend = await threadedBackend(3);
    await assertUfbOddShapes(backend);
    for (const s of randomShapes(2026, 8, { inputDim: 90, outputDim: 40, depth: 7, leafWidth: 20, batchSize: 70 })) {
      const r = await runCase(caseFor('native', 'fff', s), backend, TEST_CASE_CONTEXT);
      assert.equal(r.status, 'ok', `${r.id}: ${r.reason}`);
      assert.equal(r.check?.ok, true, `${r.id}: ${r.check?.maxRelError}`);
      assert.equal(r.backend.threads, 3, r.id);
    }
    const dense = await runCase(
      caseFor('native', 'dense', { inputDim: 8, outputDim: 2, depth: 1, leafWidth: 1, batchSize: 1, activation: 'relu' }),
      backend,
      TEST_CASE_CONTEXT,
    );
    assert.equal(dense.status, 'skipped');
    assert.equal(dense.reason, 'native has no dense kernel (it runs fff and ufb)');
  });

  it('reads the weights and the input in place: weights the caller dropped stay alive, output() is the array run() wrote, and a wrong input is refused with the reason', async (t) => {
    if (!installedBuild(t)) return;
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const backend = await threadedBackend(2);
    const shape: LayerShape = { inputDim: 96, outputDim: 40, depth: 5, leafWidth: 12, activation: 'gelu' };
    const batch = 99;
    const input = new Rng(3).fillUniform(new Float32Array(batch * shape.inputDim), 1);
    let weights: FffWeights | undefined = initFff(shape, 4);
    const kernel = await backend.prepare(weights, batch);
    kernel.run(input);
    const first = kernel.output() as Float32Array;
    assert.ok(checkOutput(weights, input, first, batch).ok);
    const expected = first.slice();
    assert.equal(kernel.output(), first, 'output() returns the same array each time: no copy');
    let collected = false;
    new FinalizationRegistry(() => (collected = true)).register(weights.leafW1, 'leafW1');
    weights = undefined;
    for (let round = 0; round < 3; round++) {
      gc();
      // garbage of the same sizes, where freed weights would be reused
      for (let k = 0; k < 8; k++) new Float32Array(32 * 96 * 12).fill(Number.NaN);
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(collected, false, 'the kernel keeps its weights alive');
    kernel.run(input);
    assert.deepEqual(kernel.output(), expected);
    assert.throws(() => kernel.run(new Float32Array(10)), /run: the input has 10 floats, the kernel was prepared for 9504 \(batch × inputDim\)/);
    assert.throws(() => kernel.run(new Float64Array(batch * 96) as unknown as Float32Array), /run: the input must be a Float32Array/);
    // an input that is a view into a larger buffer is read from its own offset
    const wide = new Float32Array(batch * 96 + 7);
    wide.set(input, 7);
    kernel.run(wide.subarray(7));
    assert.deepEqual(kernel.output(), expected);
    await kernel.dispose();
    assert.throws(() => kernel.run(input), /run: the kernel was disposed/);
    await kernel.dispose();
    // the memory budget counts the most prepare copies: the node rows (a whole number of lines: 96
    // floats), small leaves' W1 transposed, and nothing else
    const nodeRows = 31 * 96 * 4;
    assert.equal(backend.weightCopies?.('fff', 1000, shape), nodeRows / 1000);
    assert.equal(copiedBytes({ ...shape, inputDim: 33 }), 0);
    const small = { ...shape, leafWidth: 3 };
    assert.equal(copiedBytes(small), 32 * 96 * 3 * 4 + nodeRows);
    const kernelSmall = await backend.prepare(initFff(small, 1), 5);
    assert.ok(kernelSmall.facts.copiedBytes >= 32 * 96 * 3 * 4 && kernelSmall.facts.copiedBytes <= copiedBytes(small));
    await kernelSmall.dispose();
    const ufb: LayerShape = { ...shape, depth: 3, leafWidth: 1, tree: 'ufb' };
    // UltraFastBERT's input rows; its output rows of 40 floats are not a whole number of lines
    assert.equal(backend.weightCopies?.('ufb', 1000, ufb), (15 * 96 * 4) / 1000);
  });

  it('reads the rows its walk streams from 64-byte boundaries: a node array that starts off one is copied onto one (same outputs), the input batches it offers start on one', async (t) => {
    if (!installedBuild(t)) return;
    const { alignOffset } = (loadAddon(DEFAULT_BUILD_DIR) as { ok: true; addon: { alignOffset(b: ArrayBuffer): number } }).addon;
    const startingAt = (floats: Float32Array, past: number) => {
      const buffer = new ArrayBuffer(floats.byteLength + 128);
      const view = new Float32Array(buffer, alignOffset(buffer) + past, floats.length);
      view.set(floats);
      return view;
    };
    const backend = await threadedBackend(2);
    const shape: LayerShape = { inputDim: 96, outputDim: 40, depth: 5, leafWidth: 12, activation: 'gelu' };
    const batch = 37;
    const weights = initFff(shape, 4);
    const onLine = await backend.prepare({ ...weights, nodeWeights: startingAt(weights.nodeWeights, 0) }, batch, { inputBatches: 3 });
    const offLine = await backend.prepare({ ...weights, nodeWeights: startingAt(weights.nodeWeights, 16) }, batch, { inputBatches: 3 });
    assert.equal(onLine.facts.copiedBytes, 0);
    assert.equal(offLine.facts.copiedBytes, 31 * 96 * 4);
    assert.equal(onLine.inputs?.length, 3);
    for (const input of onLine.inputs ?? []) {
      assert.equal(input.length, batch * 96);
      assert.equal(input.byteOffset % 64, alignOffset(input.buffer as ArrayBuffer) % 64, 'the input batch starts on a 64-byte boundary');
    }
    const input = new Rng(5).fillUniform(onLine.inputs![0], 1);
    onLine.run(input);
    offLine.run(input);
    assert.ok(checkOutput(weights, input, onLine.output() as Float32Array, batch).ok);
    assert.deepEqual(offLine.output(), onLine.output());
    await onLine.dispose();
    await offLine.dispose();
  });

  it('threads: FFFBENCH_THREADS, else the cores; a case too small for threads runs on the calling thread alone and its result says so', async (t) => {
    if (!installedBuild(t)) return;
    const backend = createNativeBackend({ threads: 2 });
    await backend.init({ runtime: 'node', cores: 2 });
    const d12: LayerShape = { inputDim: 768, outputDim: 768, depth: 12, leafWidth: 32, activation: 'relu' };
    const ufb: LayerShape = { ...d12, depth: 11, leafWidth: 1, tree: 'ufb' };
    assert.ok(singleThreadMicros('fff', d12, 1) >= NATIVE_THREADED_FROM_MICROS.fff && singleThreadMicros('ufb', ufb, 4) < NATIVE_THREADED_FROM_MICROS.ufb);
    // batch 1 at d = 12: its one leaf split across the threads; the tree's walk of a few samples on one
    assert.equal(backend.runsThreaded('fff', d12, 1), true);
    assert.equal(backend.runsThreaded('ufb', ufb, 4), false);
    assert.equal(backend.runsThreaded('ufb', ufb, 16384), true);
    const small = { inputDim: 33, outputDim: 7, depth: 3, leafWidth: 1, activation: 'relu' as const, batchSize: 5 };
    const r = await runCase(caseFor('native', 'fff', small), backend, TEST_CASE_CONTEXT);
    assert.equal(r.status, 'ok', r.reason ?? '');
    assert.equal(r.backend.threads, 1);
    assert.match(r.backend.notes ?? '', /^this case ran on the calling thread alone: its estimated one-thread time, [\d.]+ µs, is under the 10 µs/);
    const env = createNativeBackend();
    process.env.FFFBENCH_THREADS = '3';
    try {
      await env.init({ runtime: 'node', cores: 2 });
      assert.equal(env.info().threads, 3);
      process.env.FFFBENCH_THREADS = 'many';
      assert.deepEqual(await env.init({ runtime: 'node', cores: 2 }), {
        ok: false,
        reason: 'FFFBENCH_THREADS="many": expected a whole number of threads from 1 to 1024',
      });
    } finally {
      delete process.env.FFFBENCH_THREADS;
    }
  });

  it('the other vector paths of x86-64 (AVX2 + FMA, portable vectors) pass the odd shapes, bit-identical across threads and phases', async (t) => {
    if (!installedBuild(t)) return;
    if (process.arch !== 'x64') return t.skip(`the other builds are x86-64 ones (this is ${process.arch})`);
    const builds = [...(cpuFlags.has('avx2') && cpuFlags.has('fma') ? [{ march: 'haswell', isa: 'avx2+fma' }] : []), { march: 'x86-64', isa: 'scalar' }];
    for (const { march, isa } of builds) {
      const dir = join(tempDir(), march);
      const r = buildInto(dir, { FFFBENCH_NATIVE_MARCH: march, CC: process.env.CC ?? 'cc' });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.record?.ok, r.stdout);
      assert.equal(r.record.ok && r.record.isa, isa);
      assert.ok(r.record.ok && r.record.flags.includes(`-march=${march}`));
      const { failures, isa: version } = await checkOddShapes(
        NATIVE_ODD_SHAPES.filter((_, k) => k % 2 === 0),
        dir,
      );
      assert.equal(version, `1 (${isa})`);
      assert.deepEqual(failures, [], march);
    }
  });

  it('the NEON path: the kernels cross-compiled for aarch64 and run under qemu-aarch64 pass the odd shapes against a float64 reference, bit-identical across threads', (t) => {
    if (process.arch === 'arm64') return t.skip('this machine is aarch64: the installed addon is the NEON build, tested above');
    const [cc, qemu] = ['aarch64-linux-gnu-gcc', 'qemu-aarch64'];
    if (spawnSync(cc, ['--version']).status !== 0 || spawnSync(qemu, ['--version']).status !== 0)
      return t.skip(`needs ${cc} and ${qemu} (Debian: gcc-aarch64-linux-gnu, qemu-user)`);
    const out = join(tempDir(), 'native-check');
    const kernels = sourceFiles()
      .compiled.filter((f) => f !== 'addon.c')
      .map((f) => join(SOURCE_DIR, f));
    const built = spawnSync(
      cc,
      [
        '-std=c11',
        '-O3',
        '-march=armv8-a',
        '-ffp-contract=off',
        '-pthread',
        '-Wall',
        '-Wextra',
        '-Werror',
        '-static',
        '-o',
        out,
        join(ROOT, 'test', 'fixtures', 'native-check.c'),
        ...kernels,
        '-lm',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(built.status, 0, built.stderr);
    const r = spawnSync(qemu, [out], { encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^neon: \d+ samples checked, \d+ ambiguous skipped, 0 failures$/m);
  });

  it('without a C compiler the install goes on: the build exits 0 saying why, and the backend is unavailable with that reason (fffbench list, each skipped case)', () => {
    const empty = tempDir();
    const dir = join(tempDir(), 'native');
    const r = buildInto(dir, { PATH: empty });
    assert.equal(r.status, 0, r.stderr);
    const reason = 'no C compiler: "cc" was not found on PATH (install one, e.g. gcc or clang, or set CC to one; then run npm run build:native)';
    assert.match(r.stdout, new RegExp(`^native backend not built: ${reason.replace(/[().,;"]/g, '\\$&')}\\n`));
    assert.deepEqual(r.record && { ok: r.record.ok, reason: !r.record.ok && r.record.reason }, { ok: false, reason });
    assert.equal(existsSync(join(dir, ADDON_FILE)), false);
    const unavailable = `unavailable: not built: ${reason}`;
    const list = runCli(['list'], { env: { FFFBENCH_NATIVE_DIR: dir } });
    assert.equal(list.status, 0, list.stderr);
    const lines = list.stdout.split('\n').filter((line) => /^\s+native\s/.test(line));
    // one native line per runtime installed here (node's lines, deno, bun)
    const installed = list.stdout.split('\n').filter((line) => /^ {2}\S+\s+\d+\.\d+\.\d+\s/.test(line)).length;
    assert.ok(installed >= 3 && lines.length === installed, list.stdout);
    for (const line of lines) assert.equal(line.trim().replace(/^native\s+/, ''), unavailable);
    const suiteDir = tempDir();
    const suite = writeTinySuite(suiteDir, {
      runtimes: ['node'],
      backends: ['native'],
      shapes: [{ inputDim: 5, outputDim: 2, depth: 1, leafWidth: 1, batchSize: 2, activation: 'relu' }],
      models: ['fff'],
    });
    const out = join(suiteDir, 'out.json');
    const run = runCli(['run', suite, '--out', out], { env: { FFFBENCH_NATIVE_DIR: dir } });
    assert.equal(run.status, 0, run.stderr);
    const [result] = (JSON.parse(readFileSync(out, 'utf8')) as ResultsFile).results;
    assert.equal(result.status, 'skipped');
    assert.equal(result.reason, `backend native unavailable on node: not built: ${reason}`);
    // a compiler that does not work, and a build of other sources than the tree's, are named too
    const broken = buildInto(join(tempDir(), 'native'), { CC: '/bin/false' });
    assert.equal(broken.status, 0);
    assert.match(broken.stdout, /native backend not built: "\/bin\/false --version" exited 1/);
    const stale = join(tempDir(), 'stale');
    mkdirSync(stale);
    writeFileSync(
      join(stale, BUILD_INFO_FILE),
      JSON.stringify({
        ok: true,
        compiler: 'cc',
        compilerVersion: 'cc 1',
        flags: [],
        isa: 'scalar',
        vectorBits: 128,
        compilerBuiltin: 'gcc',
        sourceDigest: 'other',
        node: 'v20',
      }),
    );
    assert.match(
      (loadAddon(stale) as { reason: string }).reason,
      /^the addon in .*stale was built from other sources than src\/backends\/native\/ now holds \(run npm run build:native\)$/,
    );
  });

  it('runs the UltraFastBERT odd shapes on node, deno and bun (CLI)', (t) => {
    if (!installedBuild(t)) return;
    assertUfbOddShapesInWorkers('native', true);
  });

  it('runs a tiny FFF suite on node, deno and bun (CLI): every case checks ok, the ISA and threads recorded', (t) => {
    if (!installedBuild(t)) return;
    const runtimes = ['node', 'deno', 'bun'];
    const shapes = [
      { inputDim: 33, outputDim: 7, depth: 5, leafWidth: 32, batchSize: 257, activation: 'gelu' as const },
      { inputDim: 33, outputDim: 7, depth: 4, leafWidth: 6, batchSize: 3, activation: 'relu' as const },
      { inputDim: 33, outputDim: 7, depth: 0, leafWidth: 1, batchSize: 1, activation: 'relu' as const },
    ];
    const { file } = runTinySuite({ runtimes, backends: ['native'], shapes, models: ['fff'], name: 'native-tiny', timeoutMs: 240_000 });
    assert.equal(file.results.length, shapes.length * runtimes.length);
    const build = loadAddon(DEFAULT_BUILD_DIR);
    for (const r of file.results) {
      assert.equal(r.status, 'ok', `${r.id}: ${r.reason}`);
      assert.ok(r.check?.ok, r.id);
      assert.equal(r.backend.version, `1 (${build.ok ? build.build.isa : '?'})`, r.id);
      assert.ok(r.backend.threads >= 1, r.id);
    }
    assert.deepEqual(new Set(file.results.map((r) => r.runtime.name)), new Set(runtimes));
  });
});
