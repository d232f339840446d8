import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { assembleKernels, SHARED_WASM_URL, WASM_URL } from '../../src/backends/wasm/assemble.ts';
import { MAX_MEMORY_BYTES } from '../../src/backends/wasm/layout.ts';
import { prepareDenseMt } from '../../src/backends/wasm-mt/dense.ts';
import { prepareUfbMt } from '../../src/backends/wasm-mt/ufb.ts';
import { assignGroups, LEAF_COST_ROWS, planShards, prepareFffMt, shardBytes, SPLIT_MIN_ROWS } from '../../src/backends/wasm-mt/fff.ts';
import { createWasmMtBackend, threadsFromEnv } from '../../src/backends/wasm-mt/index.ts';
import { DEFAULT_OPTIONS, singleThreadMicros, THREADED_FROM_MICROS, type MtOptions } from '../../src/backends/wasm-mt/options.ts';
import { warmUp } from '../../src/backends/wasm-mt/work.mjs';
import { checkOutput } from '../../src/execute/check.ts';
import { fffForwardRef } from '../../src/model/reference.ts';
import { Rng } from '../../src/model/rng.ts';
import type { LayerModel, LayerShape } from '../../src/model/shape.ts';
import { initDense, initFff, initUfb, type Weights } from '../../src/model/weights.ts';
import type { ResultsFile } from '../../src/results/schema.ts';
import type { Backend } from '../../src/backends/types.ts';
import { runCase } from '../../src/execute/run-case.ts';
import {
  assertRandomShapesPass,
  assertUfbOddShapes,
  assertUfbOddShapesInWorkers,
  caseFor,
  randomShapes,
  ROOT,
  runCli,
  runTinySuite,
  TEST_CASE_CONTEXT,
  tempDir,
  UFB_ODD_SHAPES,
} from '../support.ts';

/** The odd shapes: i = 33, o = 7, ℓ ∈ {1, 6}, depth ∈ {0, 4}, batch ∈ {1, 3, 257}, relu and gelu. */
const MT_SHAPES: (LayerShape & { batch: number })[] = [];
for (const leafWidth of [1, 6])
  for (const depth of [0, 4])
    for (const batch of [1, 3, 257])
      for (const activation of ['relu', 'gelu'] as const) MT_SHAPES.push({ inputDim: 33, outputDim: 7, depth, leafWidth, activation, batch });

const FORCED: MtOptions = { ...DEFAULT_OPTIONS, threadedFromMicros: { fff: 0, ufb: 0, dense: 0 }, timeoutMs: 20_000 };

let module: WebAssembly.Module | undefined;
async function sharedKernels(): Promise<WebAssembly.Module> {
  if (!module) {
    module = await WebAssembly.compile(new Uint8Array(readFileSync(fileURLToPath(SHARED_WASM_URL))));
    warmUp(module);
  }
  return module;
}

const nameOf = (s: LayerShape, batch: number) => `i=${s.inputDim} o=${s.outputDim} depth=${s.depth} leaf=${s.leafWidth} batch=${batch} ${s.activation}`;

/** Several batches through one kernel (its per-run state must reset), each checked against the float64 reference. */
async function assertMatchesReference(
  kernel: { run(x: Float32Array): unknown; output(): Float32Array | Promise<Float32Array> },
  weights: Weights,
  batch: number,
  seed: number,
  what: string,
): Promise<Float32Array[]> {
  const rng = new Rng(seed);
  const outputs: Float32Array[] = [];
  for (let run = 0; run < 3; run++) {
    const input = rng.fillUniform(new Float32Array(batch * weights.shape.inputDim), 1);
    await kernel.run(input);
    const got = await kernel.output();
    const check = checkOutput(weights, input, got, batch);
    assert.ok(check.ok, `${what}, run ${run}: max error ${check.maxRelError} against the float64 reference`);
    outputs.push(got);
  }
  return outputs;
}

type ThreadedKernel = { threads: number; run(x: Float32Array): unknown; output(): Float32Array | Promise<Float32Array>; dispose(): unknown };

/**
 * `prepare(threads)` at 1, 2 and 3 threads (forced): each kernel on `threads` threads
 * (`check` asserts anything more), matching the reference on several batches, and its outputs
 * bit-identical to the one-thread kernel's.
 */
async function assertSameAtEveryThreadCount<K extends ThreadedKernel>(
  prepare: (threads: number) => Promise<K>,
  weights: Weights,
  batch: number,
  seed: number,
  what: string,
  check: (kernel: K) => void = () => {},
): Promise<void> {
  let first: Float32Array[] | undefined;
  for (const threads of [1, 2, 3]) {
    const kernel = await prepare(threads);
    try {
      assert.equal(kernel.threads, threads);
      check(kernel);
      const outputs = await assertMatchesReference(kernel, weights, batch, seed, `${what}, ${threads} thread(s)`);
      if (first) assert.deepEqual(outputs, first, `${what}: ${threads} threads differ from 1`);
      first ??= outputs;
    } finally {
      await kernel.dispose();
    }
  }
}

describe('wasm-mt backend', () => {
  it('kernels-shared.wasm is exactly kernels/*.wat assembled with a shared memory import (run npm run build:wasm after editing the .wat)', async () => {
    const committed = new Uint8Array(readFileSync(fileURLToPath(SHARED_WASM_URL)));
    const rebuilt = await assembleKernels({ shared: true });
    assert.ok(Buffer.from(rebuilt).equals(Buffer.from(committed)), 'bytes differ');
    // The same kernels as the single-thread backend's: only the memory import's flags byte differs.
    const single = new Uint8Array(readFileSync(fileURLToPath(WASM_URL)));
    assert.equal(committed.length, single.length);
    const differ = [...committed.keys()].filter((k) => committed[k] !== single[k]);
    assert.equal(differ.length, 1, `bytes differing from kernels.wasm: ${differ}`);
    assert.throws(
      () => new WebAssembly.Instance(new WebAssembly.Module(committed), { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 1 }) } }),
      'a non-shared memory is refused',
    );
  });

  it('FFF matches the float64 reference on odd shapes at 1, 2 and 3 threads (threads forced), bit-identical across thread counts', async () => {
    const mod = await sharedKernels();
    for (const [n, s] of MT_SHAPES.entries()) {
      const weights = initFff(s, 10 + n);
      await assertSameAtEveryThreadCount(
        (threads) => prepareFffMt(mod, weights, s.batch, threads, FORCED),
        weights,
        s.batch,
        50 + n,
        `FFF ${nameOf(s, s.batch)}`,
        (kernel) => assert.equal(kernel.shards, 1),
      );
    }
  });

  it('passes the UltraFastBERT odd shapes (3 threads forced), two batches through each kernel', async () => {
    const backend = createWasmMtBackend({ threads: 3, threadedFromMicros: { fff: 0, ufb: 0, dense: 0 } });
    assert.deepEqual(await backend.init({ runtime: 'node', cores: 2 }), { ok: true });
    await assertUfbOddShapes(backend as unknown as Backend);
  });

  it('UltraFastBERT: bit-identical at 1, 2 and 3 threads (threads forced), within the reference tolerance', async () => {
    const mod = await sharedKernels();
    // The odd shapes, and one whose batch takes both phases in several chunks (i = 1024: 128 rows a chunk).
    const shapes = [
      ...UFB_ODD_SHAPES,
      { inputDim: 1024, outputDim: 40, depth: 6, leafWidth: 1, batchSize: 300, activation: 'gelu' as const, tree: 'ufb' as const },
    ];
    for (const [n, s] of shapes.entries()) {
      const weights = initUfb(s, 30 + n);
      await assertSameAtEveryThreadCount(
        (threads) => prepareUfbMt(mod, weights, s.batchSize, threads, FORCED),
        weights,
        s.batchSize,
        60 + n,
        `ufb ${nameOf(s, s.batchSize)}`,
      );
    }
  });

  it('dense matches the float64 reference on odd shapes at 1, 2 and 3 threads, rows and hidden-chunk splits', async () => {
    const mod = await sharedKernels();
    // The odd shapes, plus widths of several hidden chunks (2^4·24 = 384: three chunks of 128).
    const shapes = [...MT_SHAPES, ...[1, 3, 257].map((batch) => ({ inputDim: 33, outputDim: 7, depth: 4, leafWidth: 24, activation: 'gelu' as const, batch }))];
    for (const [n, s] of shapes.entries()) {
      const weights = initDense(s, 20 + n);
      for (const threads of [1, 2, 3]) {
        for (const split of ['rows', 'hidden'] as const) {
          const kernel = await prepareDenseMt(mod, weights, s.batch, threads, { ...FORCED, denseSplit: split });
          try {
            assert.equal(kernel.threads, threads);
            await assertMatchesReference(kernel, weights, s.batch, 70 + n, `dense ${nameOf(s, s.batch)}, ${threads} thread(s), ${split} split`);
          } finally {
            await kernel.dispose();
          }
        }
      }
    }
  });

  it('matches the reference on random shapes through runCase, 3 threads forced', async () => {
    const backend = createWasmMtBackend({ threads: 3, threadedFromMicros: { fff: 0, ufb: 0, dense: 0 } });
    assert.deepEqual(await backend.init({ runtime: 'node', cores: 2 }), { ok: true });
    await assertRandomShapesPass(backend, randomShapes(2025, 6, { inputDim: 90, outputDim: 30, depth: 7, leafWidth: 20, batchSize: 70 }));
  });

  it('shares leaf groups out by cost: every sorted position once, in order; a leaf split only when its group is large', () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 300; trial++) {
      const groups = 1 + Math.floor(rng.next() * 60);
      const threads = 1 + Math.floor(rng.next() * 5);
      const big = rng.next() < 0.3;
      const size = Int32Array.from({ length: groups }, () => 1 + Math.floor(rng.next() * (big ? 100 : 4)));
      const start = new Int32Array(groups);
      for (let g = 1; g < groups; g++) start[g] = start[g - 1] + size[g - 1];
      const leaf = Int32Array.from({ length: groups }, (_, g) => 1000 + g);
      const batch = start[groups - 1] + size[groups - 1];
      const index = new Int32Array(2 * threads);
      const segments = new Int32Array(3 * (batch + threads));
      const count = assignGroups(leaf, start, size, groups, threads, index, segments);
      const what = `trial ${trial}: ${groups} groups, ${threads} threads`;
      // Thread t's segments are [index[2t], index[2t] + index[2t+1]); together, every segment in order.
      let next = 0;
      let pos = 0;
      const costs: number[] = [];
      const threadsOfLeaf = new Map<number, Set<number>>();
      for (let t = 0; t < threads; t++) {
        assert.equal(index[2 * t], next, what);
        let cost = 0;
        for (let k = index[2 * t]; k < index[2 * t] + index[2 * t + 1]; k++) {
          const [lf, p, rows] = segments.subarray(3 * k, 3 * k + 3);
          assert.equal(p, pos, `${what}: positions in order`);
          assert.ok(rows > 0, what);
          const g = lf - 1000;
          assert.ok(p >= start[g] && p + rows <= start[g] + size[g], `${what}: segment inside its group`);
          pos += rows;
          cost += rows + LEAF_COST_ROWS;
          threadsOfLeaf.set(lf, (threadsOfLeaf.get(lf) ?? new Set()).add(t));
        }
        next += index[2 * t + 1];
        costs.push(cost);
      }
      assert.equal(next, count, what);
      assert.equal(pos, batch, `${what}: every position once`);
      for (const [lf, ts] of threadsOfLeaf) if (ts.size > 1) assert.ok(size[lf - 1000] >= SPLIT_MIN_ROWS, `${what}: a small group was split`);
      // Balanced to within the largest unsplittable group (and a tile) of the mean.
      const total = costs.reduce((a, b) => a + b, 0);
      const slack = Math.max(SPLIT_MIN_ROWS, ...[...size].filter((s) => s < SPLIT_MIN_ROWS)) + LEAF_COST_ROWS + 4;
      for (const c of costs) assert.ok(c <= total / threads + slack, `${what}: costs ${costs}`);
    }
  });

  it('splits the FFF leaves across several shared memories under a small limit: bit-identical to one memory at 1, 2 and 3 threads', async () => {
    const mod = await sharedKernels();
    const cases: { shape: LayerShape; batch: number; firstLeaves: (leaves: number) => number }[] = [
      // ℓ = 1 and 6: the small-leaf kernel (a leaf of width 1 is about a node row's size: the tree
      // and the run's plan alone take the room of most leaves, so shard 0 gets none); ℓ = 9: the GEMM
      { shape: { inputDim: 33, outputDim: 7, depth: 6, leafWidth: 1, activation: 'relu' }, batch: 257, firstLeaves: () => 0 },
      { shape: { inputDim: 33, outputDim: 7, depth: 5, leafWidth: 6, activation: 'gelu' }, batch: 3, firstLeaves: (n) => Math.ceil(n / 5) },
      { shape: { inputDim: 33, outputDim: 7, depth: 6, leafWidth: 6, activation: 'relu' }, batch: 257, firstLeaves: () => 0 },
      { shape: { inputDim: 33, outputDim: 7, depth: 5, leafWidth: 9, activation: 'gelu' }, batch: 257, firstLeaves: (n) => Math.ceil(n / 5) },
    ];
    for (const [n, { shape, batch, firstLeaves }] of cases.entries()) {
      const weights = initFff(shape, 40 + n);
      const leaves = 2 ** shape.depth;
      for (const threads of [1, 2, 3]) {
        const name = `${nameOf(shape, batch)}, ${threads} thread(s)`;
        const maxMemoryBytes = shardBytes(shape, batch, threads, firstLeaves(leaves), true);
        const plan = planShards(shape, batch, threads, maxMemoryBytes);
        assert.ok(plan.length >= 3, `${name}: ${plan.length} shards`);
        assert.equal(plan.at(-1)!.first + plan.at(-1)!.count, leaves, `${name}: every leaf placed`);
        const one = await prepareFffMt(mod, weights, batch, threads, FORCED);
        const split = await prepareFffMt(mod, weights, batch, threads, { ...FORCED, maxMemoryBytes });
        try {
          assert.equal(one.shards, 1, name);
          assert.equal(split.shards, plan.length, name);
          const rng = new Rng(90 + n);
          const shardsHit = new Set<number>();
          for (let run = 0; run < 3; run++) {
            const input = rng.fillUniform(new Float32Array(batch * shape.inputDim), 1);
            for (const leaf of fffForwardRef(weights, input, batch).leaves) shardsHit.add(plan.findLastIndex((p) => p.first <= leaf && p.count > 0));
            await one.run(input);
            await split.run(input);
            const got = await split.output();
            assert.deepEqual(got, await one.output(), `${name}, run ${run}: sharded output differs from one memory's`);
            assert.ok(checkOutput(weights, input, got, batch).ok, `${name}, run ${run}: against the float64 reference`);
          }
          assert.ok(
            [...shardsHit].some((k) => k > 0),
            `${name}: shards hit ${[...shardsHit]}`,
          );
        } finally {
          await one.dispose();
          await split.dispose();
        }
      }
    }
  });

  it('plans the depth-15, 768-wide FFF (6.2 GiB of leaves) as two shared memories; the backend caps only dense and UltraFastBERT (one memory each)', () => {
    const shape: LayerShape = { inputDim: 768, outputDim: 768, depth: 15, leafWidth: 32, activation: 'relu' };
    for (const threads of [1, 2, 16]) {
      const plan = planShards(shape, 256, threads);
      assert.equal(plan.length, 2);
      assert.equal(plan[0].count + plan[1].count, 2 ** 15);
      assert.ok(shardBytes(shape, 256, threads, plan[0].count, true) <= MAX_MEMORY_BYTES);
    }
    assert.deepEqual(planShards({ ...shape, depth: 12 }, 256, 2), [{ first: 0, count: 4096 }]);
    const backend = createWasmMtBackend();
    assert.deepEqual(backend.maxMemoryBytes, { dense: MAX_MEMORY_BYTES, ufb: MAX_MEMORY_BYTES });
    assert.match(backend.info().fffStrategy, /split across several/);
  });

  it('a worker thread that throws, exits or hangs makes run() reject with the reason, never block; the next kernel works', async () => {
    const mod = await sharedKernels();
    const shape: LayerShape = { inputDim: 33, outputDim: 7, depth: 4, leafWidth: 6, activation: 'relu' };
    const fff = initFff(shape, 3);
    const dense = initDense(shape, 3);
    const input = new Rng(4).fillUniform(new Float32Array(9 * 33), 1);
    const expect = {
      throw: /wasm-mt: worker thread 1 of 2 failed: planted failure: worker thread 1 threw/,
      exit: /wasm-mt: worker thread 1 of 2 exited \(code 3\)/,
      hang: /wasm-mt: worker thread 1 of 2 did not finish within 0\.5 s \(hung\)/,
    };
    for (const kind of ['throw', 'exit', 'hang'] as const) {
      // Only the hang needs the short timeout; the others must be reported as what they are.
      const options = { ...FORCED, timeoutMs: kind === 'hang' ? 500 : 60_000, fault: { thread: 1, kind } };
      for (const kernel of [await prepareFffMt(mod, fff, 9, 2, options), await prepareDenseMt(mod, dense, 9, 2, options)]) {
        const t0 = performance.now();
        await assert.rejects(async () => kernel.run(input), expect[kind], kind);
        assert.ok(performance.now() - t0 < 10_000, `${kind}: rejected after ${(performance.now() - t0).toFixed(0)} ms`);
        await assert.rejects(async () => kernel.run(input), expect[kind], `${kind}: a broken kernel keeps failing`);
        await kernel.dispose();
      }
    }
    const healthy = await prepareFffMt(mod, fff, 9, 2, FORCED);
    await assertMatchesReference(healthy, fff, 9, 5, 'a kernel after the failures');
    await healthy.dispose();
  });

  it('threads: FFFBENCH_THREADS, else the cores; small cases run on the calling thread alone (sync run), large ones on all', async () => {
    assert.equal(threadsFromEnv(undefined), undefined);
    assert.equal(threadsFromEnv(' '), undefined);
    assert.equal(threadsFromEnv('3'), 3);
    for (const bad of ['0', '-1', '2.5', 'many', '100000']) assert.ok(threadsFromEnv(bad) instanceof Error, bad);
    const backend = createWasmMtBackend();
    assert.deepEqual(await backend.init({ runtime: 'node', cores: 3 }), { ok: true });
    assert.equal(backend.info().threads, threadsFromEnv() ?? 3);
    assert.equal(backend.info().name, 'wasm-mt');
    assert.match(backend.info().notes!, /under 45 µs \(FFF\), 45 µs \(UltraFastBERT\) or 15 µs \(dense\) runs on the calling thread alone/);

    const two = createWasmMtBackend({ threads: 2 });
    await two.init({ runtime: 'node', cores: 2 });
    const d12: LayerShape = { inputDim: 768, outputDim: 768, depth: 12, leafWidth: 32, activation: 'relu' };
    assert.ok(singleThreadMicros('fff', d12, 1) < THREADED_FROM_MICROS.fff && singleThreadMicros('fff', d12, 2) >= THREADED_FROM_MICROS.fff);
    assert.equal(two.runsThreaded('fff', d12, 1), false);
    assert.equal(two.runsThreaded('fff', d12, 256), true);
    assert.equal(two.runsThreaded('dense', { ...d12, depth: 7 }, 1), true);
    // A small case: no worker threads, and a synchronous run (no promise to await per call).
    const small: LayerShape = { inputDim: 33, outputDim: 7, depth: 3, leafWidth: 1, activation: 'relu' };
    const weights = initFff(small, 1);
    const kernel = await two.prepare(weights, 5);
    assert.equal(kernel.threads, 1);
    assert.equal(kernel.run(new Float32Array(5 * 33)), undefined);
    await kernel.dispose();
    // The result of such a case says so: 1 thread, and why, not the backend's 2.
    const spec = caseFor('wasm-mt', 'fff', { ...small, batchSize: 5 });
    const r = await runCase(spec, two as unknown as Backend, TEST_CASE_CONTEXT);
    assert.equal(r.status, 'ok', r.reason ?? '');
    assert.equal(r.backend.threads, 1);
    assert.match(r.backend.notes ?? '', /^this case ran on the calling thread alone: its estimated one-thread time, [\d.]+ µs, is under the 45 µs/);
    const large = await runCase(caseFor('wasm-mt', 'dense', { ...small, depth: 8, batchSize: 64 }), two as unknown as Backend, TEST_CASE_CONTEXT);
    assert.equal(large.backend.threads, 2);
    assert.doesNotMatch(large.backend.notes ?? '', /^this case ran on the calling thread alone/);
  });

  it('a planted worker-thread fault fails only its case, on node, deno and bun (CLI)', () => {
    const dir = tempDir();
    const suite = join(dir, 'thread-faults.json');
    const runtimes = ['node', 'deno', 'bun'];
    writeFileSync(
      suite,
      JSON.stringify({
        name: 'thread-faults',
        runtimes,
        backends: ['faulty-mt'],
        sweeps: [{ inputDim: 12, outputDim: 3, leafWidth: 2, depth: [0, 1, 2, 3], batchSize: 5 }],
        measurement: { minTimeMs: 5, minSamples: 3, maxCaseTimeMs: 200, warmupSamples: 1, calibrate: false },
      }),
    );
    const out = join(dir, 'out.json');
    const r = runCli(['run', suite, '--out', out], {
      env: { FFFBENCH_BACKEND_MODULES: `faulty-mt=${join(ROOT, 'test', 'fixtures', 'faulty-threads-backend.ts')}` },
      timeoutMs: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const file = JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;
    assert.equal(file.results.length, 8 * runtimes.length);
    const reasons: Record<number, RegExp> = {
      1: /worker thread 1 of 2 failed: planted failure: worker thread 1 threw/,
      2: /worker thread 1 of 2 did not finish within 2 s \(hung\)/,
      3: /worker thread 1 of 2 exited \(code 3\)/,
    };
    for (const x of file.results) {
      const key = `${x.runtime.name} ${x.model} d${x.shape.depth}`;
      if (x.model === 'fff' && reasons[x.shape.depth]) {
        assert.equal(x.status, 'failed', key);
        assert.match(x.reason!, reasons[x.shape.depth], key);
      } else {
        assert.equal(x.status, 'ok', `${key}: ${x.reason}`);
        assert.ok(x.check?.ok, key);
      }
    }
  });

  it('runs the UltraFastBERT odd shapes on node, deno and bun', () => assertUfbOddShapesInWorkers('wasm-mt'));

  it('runs a tiny suite on node, deno and bun: every case checks ok, threads recorded', () => {
    const runtimes = ['node', 'deno', 'bun'];
    // Two small shapes (the calling thread alone) and one large enough to run threaded.
    const shapes = [
      { inputDim: 33, outputDim: 7, depth: 4, leafWidth: 6, batchSize: 257, activation: 'gelu' as const },
      { inputDim: 33, outputDim: 7, depth: 0, leafWidth: 1, batchSize: 3, activation: 'relu' as const },
      { inputDim: 256, outputDim: 64, depth: 6, leafWidth: 16, batchSize: 129, activation: 'relu' as const },
    ];
    assert.ok(
      singleThreadMicros('fff', shapes[2], 129) >= THREADED_FROM_MICROS.fff && singleThreadMicros('dense', shapes[2], 129) >= THREADED_FROM_MICROS.dense,
    );
    const { file } = runTinySuite({ runtimes, backends: ['wasm-mt'], shapes, name: 'wasm-mt-tiny', timeoutMs: 240_000 });
    assert.equal(file.results.length, shapes.length * 2 * runtimes.length);
    for (const r of file.results) {
      assert.equal(r.status, 'ok', `${r.id}: ${r.reason}`);
      assert.ok(r.check?.ok, `${r.id}: max error ${r.check?.maxRelError}`);
      assert.equal(r.backend.name, 'wasm-mt');
      // Each result records the threads its case ran on: all of them, or 1 for a small case.
      const all = threadsFromEnv() ?? file.machine.cpuCores;
      const model = r.model as LayerModel;
      const threaded = singleThreadMicros(model, r.shape, r.shape.batchSize) >= THREADED_FROM_MICROS[model];
      assert.equal(r.backend.threads, threaded || all === 1 ? all : 1, r.id);
    }
    assert.deepEqual(new Set(file.results.map((r) => r.runtime.name)), new Set(runtimes));
  });
});
