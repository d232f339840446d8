import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { assembleKernels, WASM_URL } from '../src/backends/wasm/assemble.ts';
import { Arena, fillRowTable, instantiate, MODE } from '../src/backends/wasm/layout.ts';
import { gelu64 } from '../src/model/activation.ts';
import { wasmBackend } from '../src/backends/wasm/index.ts';
import type { FffWeights } from '../src/model/weights.ts';
import { assertRandomShapesPass, ODD_SHAPES, randomShapes, runTinySuite } from './support.ts';

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
  it('kernels.wasm is exactly what kernels.wat assembles to (run npm run build:wasm after editing the .wat)', async () => {
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

  it('matches the reference on random shapes (in process)', async () => {
    assert.deepEqual(await wasmBackend.init({ runtime: 'node', cores: 1 }), { ok: true });
    await assertRandomShapesPass(wasmBackend, randomShapes(2024, 16, { inputDim: 90, outputDim: 30, depth: 7, leafWidth: 20, batchSize: 70 }));
  });

  it('refuses a case that cannot fit a 32-bit wasm memory, with the sizes', async () => {
    assert.deepEqual(await wasmBackend.init({ runtime: 'node', cores: 1 }), { ok: true });
    // i = o = 768, ℓ = 32, depth 15: 6 GiB of leaf weights. The layout is checked before any
    // weight is read, so empty arrays stand in for them.
    const empty = new Float32Array(0);
    const huge: FffWeights = {
      kind: 'fff',
      shape: { inputDim: 768, outputDim: 768, depth: 15, leafWidth: 32, activation: 'relu' },
      nodeWeights: empty, nodeBias: empty, leafW1: empty, leafB1: empty, leafW2: empty, leafB2: empty,
    };
    await assert.rejects(wasmBackend.prepare(huge, 1), /wasm backend: FFF .* needs 6340\.\d MiB of memory \(.*packed leaf W1 3072\.0 MiB.*\): over the 4095\.9 MiB/);
  });
});
