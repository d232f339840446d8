import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { assembleKernels, WASM_URL } from '../../src/backends/wasm/assemble.ts';
import { planShards, prepareFff, shardBytes } from '../../src/backends/wasm/fff.ts';
import { Arena, fillRowTable, instantiate, MAX_MEMORY_BYTES, MODE } from '../../src/backends/wasm/layout.ts';
import { CaseTooLarge } from '../../src/backends/types.ts';
import { checkOutput } from '../../src/execute/check.ts';
import { gelu64 } from '../../src/model/activation.ts';
import { wasmBackend } from '../../src/backends/wasm/index.ts';
import { fffForwardRef } from '../../src/model/reference.ts';
import { Rng } from '../../src/model/rng.ts';
import type { LayerShape } from '../../src/model/shape.ts';
import { initFff, type DenseWeights, type FffWeights, type UfbWeights } from '../../src/model/weights.ts';
import { assertRandomShapesPass, assertUfbOddShapes, assertUfbOddShapesInWorkers, ODD_SHAPES, randomShapes, runTinySuite } from '../support.ts';

/**
 * Beyond ODD_SHAPES: leaf widths of 8 and more (several 8-column panels, one partial), a dense
 * width of 144 and 384 (hidden chunks of 128 plus a partial one), outputs a multiple of 8 and not,
 * batches that leave 1-3 rows past the 4-row tiles.
 */
const WASM_SHAPES = [
  ...ODD_SHAPES,
  { inputDim: 40, outputDim: 16, depth: 4, leafWidth: 9, batchSize: 6, activation: 'gelu' },
  { inputDim: 24, outputDim: 9, depth: 5, leafWidth: 12, batchSize: 70, activation: 'relu' },
  { inputDim: 96, outputDim: 40, depth: 2, leafWidth: 32, batchSize: 11, activation: 'gelu' },
] as const;

describe('wasm backend', () => {
  it('kernels.wasm is exactly what kernels/*.wat assemble to (run npm run build:wasm after editing the .wat)', async () => {
    const committed = new Uint8Array(readFileSync(fileURLToPath(WASM_URL)));
    const rebuilt = await assembleKernels();
    assert.equal(rebuilt.length, committed.length, 'sizes differ');
    assert.ok(Buffer.from(rebuilt).equals(Buffer.from(committed)), 'bytes differ');
  });

  it('computes exact-erf GELU to float32 accuracy far into both tails', async () => {
    // C = gelu(A·B + 0) with k = 1 and B = [1, 0, …]: column 0 of each row is gelu(x).
    const xs = Array.from({ length: 4001 }, (_, n) => -20 + n * 0.01).concat([0, -0, 1e-30, -1e-30, 87, -87, 200, -200]);
    const rows = xs.length;
    const arena = new Arena();
    const a = arena.alloc('a', rows * 4);
    const b = arena.alloc('b', 32);
    const bias = arena.alloc('bias', 32);
    const c = arena.alloc('c', rows * 32);
    const aRows = arena.alloc('a rows', rows * 4);
    const cRows = arena.alloc('c rows', rows * 4);
    const bytes = new Uint8Array(readFileSync(fileURLToPath(WASM_URL)));
    const { kernels, f32, u32 } = instantiate(await WebAssembly.compile(bytes), arena.createMemory('gelu test'));
    f32.set(xs, a / 4);
    f32[b / 4] = 1;
    fillRowTable(u32, aRows, rows, a, 4);
    fillRowTable(u32, cRows, rows, c, 32);
    kernels.gemm(aRows, rows, 1, b, 1, bias, cRows, MODE.gelu);
    xs.forEach((x, r) => {
      const x32 = Math.fround(x);
      const got = f32[c / 4 + r * 8];
      const want = gelu64(x32);
      assert.ok(Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(x32)), `gelu(${x32}) = ${got}, want ${want}`);
      assert.equal(f32[c / 4 + r * 8 + 1], 0, 'padding column: gelu(0) = 0');
    });
  });

  it('matches the float64 reference on node, deno and bun', () => {
    const runtimes = ['node', 'deno', 'bun'];
    const { file } = runTinySuite({ runtimes, backends: ['wasm'], shapes: [...WASM_SHAPES], name: 'wasm-odd', timeoutMs: 240_000 });
    assert.equal(file.results.length, WASM_SHAPES.length * 2 * runtimes.length);
    for (const r of file.results) {
      assert.equal(r.status, 'ok', `${r.id}: ${r.reason}`);
      assert.ok(r.check?.ok, `${r.id}: max error ${r.check?.maxRelError}`);
      assert.equal(r.backend.name, 'wasm');
    }
    assert.deepEqual(new Set(file.results.map((r) => r.runtime.name)), new Set(runtimes));
  });

  it('passes the UltraFastBERT odd shapes, two batches through each kernel', async () => {
    assert.deepEqual(await wasmBackend.init({ runtime: 'node', cores: 1 }), { ok: true });
    await assertUfbOddShapes(wasmBackend);
  });

  it('runs the UltraFastBERT odd shapes on node, deno and bun', () => assertUfbOddShapesInWorkers('wasm'));

  it('matches the reference on random shapes (in process)', async () => {
    assert.deepEqual(await wasmBackend.init({ runtime: 'node', cores: 1 }), { ok: true });
    await assertRandomShapesPass(wasmBackend, randomShapes(2024, 16, { inputDim: 90, outputDim: 30, depth: 7, leafWidth: 20, batchSize: 70 }));
  });

  it('splits the FFF leaves across several memories under a small limit: bit-identical to one memory, within the reference tolerance', async () => {
    const module = await compileKernels();
    // Odd shapes, each with a limit that leaves shard 0 about a fifth of the leaves (or none,
    // where `firstLeaves` is 0): 3 or more memories, groups of 1 to many rows in each. ℓ = 1 and
    // 6 run the small-leaf kernel (a leaf of width 1 is about as large as a node row here, so the
    // tree alone takes the room of most leaves: shard 0 gets none), ℓ = 9 the GEMM.
    const cases: { shape: LayerShape; batch: number; firstLeaves: (leaves: number) => number }[] = [
      { shape: { inputDim: 33, outputDim: 7, depth: 4, leafWidth: 1, activation: 'relu' }, batch: 257, firstLeaves: () => 0 },
      { shape: { inputDim: 33, outputDim: 7, depth: 5, leafWidth: 6, activation: 'gelu' }, batch: 3, firstLeaves: (n) => Math.ceil(n / 5) },
      { shape: { inputDim: 33, outputDim: 7, depth: 6, leafWidth: 1, activation: 'gelu' }, batch: 1, firstLeaves: () => 0 },
      { shape: { inputDim: 33, outputDim: 7, depth: 6, leafWidth: 6, activation: 'relu' }, batch: 257, firstLeaves: (n) => Math.ceil(n / 5) },
      { shape: { inputDim: 33, outputDim: 7, depth: 5, leafWidth: 9, activation: 'gelu' }, batch: 257, firstLeaves: (n) => Math.ceil(n / 5) },
      { shape: { inputDim: 33, outputDim: 7, depth: 5, leafWidth: 6, activation: 'relu' }, batch: 257, firstLeaves: () => 0 },
      { shape: { inputDim: 33, outputDim: 7, depth: 4, leafWidth: 6, activation: 'gelu' }, batch: 3, firstLeaves: () => 0 },
    ];
    for (const [n, { shape, batch, firstLeaves }] of cases.entries()) {
      const name = `i=${shape.inputDim} o=${shape.outputDim} depth=${shape.depth} leaf=${shape.leafWidth} batch=${batch} ${shape.activation}`;
      const leaves = 2 ** shape.depth;
      const maxMemoryBytes = shardBytes(shape, batch, firstLeaves(leaves), true);
      const plan = planShards(shape, batch, maxMemoryBytes);
      assert.ok(plan.length >= 3, `${name}: ${plan.length} shards`);
      assert.equal(plan[0].count, firstLeaves(leaves), `${name}: leaves in shard 0`);
      plan.forEach((p, k) => {
        assert.equal(p.first, k === 0 ? 0 : plan[k - 1].first + plan[k - 1].count, `${name}: shard ${k} is contiguous`);
        assert.ok(shardBytes(shape, batch, p.count, k === 0) <= maxMemoryBytes, `${name}: shard ${k} fits`);
      });
      assert.equal(plan.at(-1)!.first + plan.at(-1)!.count, leaves, `${name}: every leaf placed`);

      const weights = initFff(shape, 40 + n);
      const one = prepareFff(module, weights, batch);
      const split = prepareFff(module, weights, batch, { maxMemoryBytes });
      assert.equal(one.shards, 1, name);
      assert.equal(split.shards, plan.length, name);
      const rng = new Rng(90 + n);
      const shardOf = (leaf: number) => plan.findLastIndex((p) => p.first <= leaf && p.count > 0);
      const shardsHit = new Set<number>();
      // Several batches through the same kernel: the grouping state must reset between runs.
      for (let run = 0; run < 3; run++) {
        const input = rng.fillUniform(new Float32Array(batch * shape.inputDim), 1);
        for (const leaf of fffForwardRef(weights, input, batch).leaves) shardsHit.add(shardOf(leaf));
        await one.run(input);
        await split.run(input);
        const want = await one.output();
        const got = await split.output();
        assert.deepEqual(got, want, `${name}, run ${run}: sharded output differs from one memory's`);
        const check = checkOutput(weights, input, got, batch);
        assert.ok(check.ok, `${name}, run ${run}: max error ${check.maxRelError} against the float64 reference`);
      }
      // The batches reached leaves beyond shard 0 (all of them, at batch 257).
      assert.ok(
        [...shardsHit].some((k) => k > 0),
        `${name}: shards hit ${[...shardsHit]}`,
      );
      if (batch > 200) assert.equal(shardsHit.size, plan.filter((p) => p.count > 0).length, `${name}: shards hit ${[...shardsHit]}`);
      await one.dispose();
      await split.dispose();
    }
  });

  it('plans the depth-15, 768-wide FFF (6.2 GiB of leaves) as two memories; the backend caps only dense and UltraFastBERT (one memory each)', () => {
    const shape: LayerShape = { inputDim: 768, outputDim: 768, depth: 15, leafWidth: 32, activation: 'relu' };
    const plan = planShards(shape, 256);
    assert.equal(plan.length, 2);
    assert.equal(plan[0].count + plan[1].count, 2 ** 15);
    assert.ok(shardBytes(shape, 256, plan[0].count, true) <= MAX_MEMORY_BYTES);
    assert.ok(shardBytes(shape, 256, plan[0].count + 1, true) > MAX_MEMORY_BYTES, 'shard 0 is filled');
    // Depth 12 fits one memory, as before.
    assert.deepEqual(planShards({ ...shape, depth: 12 }, 256), [{ first: 0, count: 4096 }]);
    assert.deepEqual(wasmBackend.maxMemoryBytes, { dense: MAX_MEMORY_BYTES, ufb: MAX_MEMORY_BYTES });
    assert.match(wasmBackend.info().fffStrategy, /split across several/);
  });

  it('refuses an FFF whose one leaf, or whose tree, does not fit one memory, saying which', async () => {
    assert.deepEqual(await wasmBackend.init({ runtime: 'node', cores: 1 }), { ok: true });
    // The plan is made before any weight is read, so empty arrays stand in for them.
    const empty = new Float32Array(0);
    const fff = (shape: LayerShape): FffWeights => ({
      kind: 'fff',
      shape,
      nodeWeights: empty,
      nodeBias: empty,
      leafW1: empty,
      leafB1: empty,
      leafW2: empty,
      leafB2: empty,
    });
    // ℓ = 2^20: one leaf's packed W1 and W2 are 3 GiB each.
    await assert.rejects(
      wasmBackend.prepare(fff({ inputDim: 768, outputDim: 768, depth: 1, leafWidth: 2 ** 20, activation: 'relu' }), 1),
      (err: Error) =>
        err instanceof CaseTooLarge &&
        /wasm backend: FFF .*: one leaf \(packed W1 3072\.0 MiB, packed W2 3072\.0 MiB\) with the batch buffers needs 61\d\d\.\d MiB, over the 4095\.9 MiB/.test(
          err.message,
        ),
    );
    // Depth 21: 6 GiB of node weights, which only one memory can hold.
    await assert.rejects(
      wasmBackend.prepare(fff({ inputDim: 768, outputDim: 768, depth: 21, leafWidth: 32, activation: 'relu' }), 1),
      (err: Error) => err instanceof CaseTooLarge && /the tree's node weights \(6144\.0 MiB\) .* over the 4095\.9 MiB/.test(err.message),
    );
    // A small limit: a tiny shape whose one leaf exceeds it.
    const module = await compileKernels();
    const shape: LayerShape = { inputDim: 33, outputDim: 7, depth: 3, leafWidth: 6, activation: 'relu' };
    const tooSmall = shardBytes(shape, 5, 1, false) - 1;
    assert.throws(
      () => prepareFff(module, initFff(shape, 1), 5, { maxMemoryBytes: tooSmall }),
      (err: Error) => err instanceof CaseTooLarge && /one leaf/.test(err.message),
    );
    // One byte more: one leaf per memory, and shard 0 (whose tree takes the room of a leaf) none.
    assert.deepEqual(planShards(shape, 5, tooSmall + 1), [{ first: 0, count: 0 }, ...Array.from({ length: 8 }, (_, k) => ({ first: k, count: 1 }))]);
    assert.equal(prepareFff(module, initFff(shape, 1), 5, { maxMemoryBytes: tooSmall + 1 }).shards, 9);
  });

  it('refuses an UltraFastBERT tree that cannot fit one wasm memory, with the sizes', async () => {
    assert.deepEqual(await wasmBackend.init({ runtime: 'node', cores: 1 }), { ok: true });
    // Depth 20 at i = o = 768: 2^21 − 1 nodes, 6 GiB of input rows alone. The layout is checked
    // before any weight is read, so empty arrays stand in for them.
    const empty = new Float32Array(0);
    const huge: UfbWeights = {
      kind: 'ufb',
      shape: { inputDim: 768, outputDim: 768, depth: 20, leafWidth: 1, activation: 'gelu', tree: 'ufb' },
      nodeIn: empty,
      nodeOut: empty,
    };
    await assert.rejects(
      wasmBackend.prepare(huge, 1),
      (err: Error) =>
        err instanceof CaseTooLarge &&
        /wasm backend: UltraFastBERT tree i=768 o=768 depth=20 batch=1 needs 12\d\d\d\.\d MiB of memory \(.*node input rows 6144\.0 MiB.*\): over the 4095\.9 MiB/.test(
          err.message,
        ),
    );
  });

  it('places the input batches asked for in the UltraFastBERT memory where they fit, else room for one', async () => {
    const { layoutUfb, ufbDims } = await import('../../src/backends/wasm/ufb.ts');
    const shape: LayerShape = { inputDim: 768, outputDim: 768, depth: 11, leafWidth: 1, activation: 'gelu', tree: 'ufb' };
    // batch 16384: five batches of 48 MiB fit beside the tree
    assert.equal(layoutUfb(ufbDims(shape, 16384), 5).inputs, 5);
    // batch 300000: one batch is 879 MiB, five would pass 4 GiB with the outputs: one, copied into
    const one = layoutUfb(ufbDims(shape, 300_000), 5);
    assert.equal(one.inputs, 1);
    assert.ok(one.arena.size < MAX_MEMORY_BYTES, `${one.arena.size}`);
  });

  it('refuses a dense case that cannot fit a 32-bit wasm memory, with the sizes', async () => {
    assert.deepEqual(await wasmBackend.init({ runtime: 'node', cores: 1 }), { ok: true });
    // i = o = 768, W = 2^15·32: 6 GiB of weights. The layout is checked before any weight is
    // read, so empty arrays stand in for them.
    const empty = new Float32Array(0);
    const huge: DenseWeights = {
      kind: 'dense',
      shape: { inputDim: 768, outputDim: 768, depth: 15, leafWidth: 32, activation: 'relu' },
      width: 2 ** 20,
      w1: empty,
      b1: empty,
      w2: empty,
      b2: empty,
    };
    await assert.rejects(
      wasmBackend.prepare(huge, 1),
      /wasm backend: dense .* needs 6\d\d\d\.\d MiB of memory \(.*packed W1 3072\.0 MiB.*\): over the 4095\.9 MiB/,
    );
  });
});

async function compileKernels(): Promise<WebAssembly.Module> {
  return WebAssembly.compile(new Uint8Array(readFileSync(fileURLToPath(WASM_URL))));
}
