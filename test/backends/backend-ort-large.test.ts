/**
 * The onnxruntime large-model path, for models too large for one protobuf (2 GiB): the FFF's
 * parameters leave the model and become graph inputs fed on every run; a dense layer runs as
 * hidden chunks, one session each with constant weights, outputs summed. Exercised at a small
 * scale by forcing a tiny maxModelBytes (and chunk size): the odd shapes must take that path —
 * onnxruntime itself reports the parameters among the session's inputs, or the kernel its
 * sessions — and still match the float64 reference.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildModel, DENSE_CHUNK_BYTES, denseChunks, MAX_MODEL_BYTES, parameterBytes, placementFor } from '../../src/backends/onnx/graphs.ts';
import { UFB_GEMM_LEVELS } from '../../src/backends/onnx/graphs-ufb.ts';
import { createOrtNodeBackend, ortNodeBackend } from '../../src/backends/onnx/ort-node.ts';
import { createOrtWebBackend } from '../../src/backends/onnx/ort-web.ts';
import type { OrtKernel } from '../../src/backends/onnx/session.ts';
import type { Backend } from '../../src/backends/types.ts';
import { checkOutput } from '../../src/execute/check.ts';
import { plannedBytes, runCase } from '../../src/execute/run-case.ts';
import { weightBytes } from '../../src/model/cost.ts';
import { Rng } from '../../src/model/rng.ts';
import type { LayerShape } from '../../src/model/shape.ts';
import { initDense, initFff, initUfb, type DenseWeights, type FffWeights, type Weights } from '../../src/model/weights.ts';
import { caseFor, TEST_CASE_CONTEXT, UFB_ODD_SHAPES } from '../support.ts';

/** Small enough that every model below is over it. */
const TINY = 16;
/** Hidden chunks of 4 units at i = 33, o = 7 (41 parameters a unit): a dense layer of width 6 to 96 runs as 2 to 24 sessions. */
const TINY_CHUNK = 4 * 41 * 4;
const LARGE = { maxModelBytes: TINY, denseChunkBytes: TINY_CHUNK };

const DENSE_PARAMS = ['W1', 'b1', 'W2', 'b2'];
const FFF_PARAMS = ['root_w', 'root_b', 'node_W', 'node_b', 'leaf_W1', 'leaf_b1', 'leaf_W2', 'leaf_b2'];
const paramNames = (w: Weights) => (w.kind === 'dense' || w.shape.depth === 0 ? DENSE_PARAMS : FFF_PARAMS);

/** i = 33, o = 7; ℓ 1 and 6; depth 0 and 4; batch 1, 3, 257; relu and gelu; FFF and dense. */
function oddModels(): { what: string; weights: DenseWeights | FffWeights; batch: number }[] {
  const out: { what: string; weights: DenseWeights | FffWeights; batch: number }[] = [];
  let seed = 1;
  for (const leafWidth of [1, 6]) {
    for (const depth of [0, 4]) {
      for (const [batch, activation] of [
        [1, 'relu'],
        [3, 'gelu'],
        [257, 'relu'],
        [257, 'gelu'],
      ] as const) {
        const shape: LayerShape = { inputDim: 33, outputDim: 7, depth, leafWidth, activation };
        for (const weights of [initFff(shape, seed), initDense(shape, seed)]) {
          out.push({ what: `${weights.kind} ℓ${leafWidth} d${depth} b${batch} ${activation}`, weights, batch });
        }
        seed++;
      }
    }
  }
  return out;
}

function randomInput(weights: Weights, batch: number, seed: number): Float32Array {
  return new Rng(seed).fillUniform(new Float32Array(batch * weights.shape.inputDim), 1);
}

/** Adds `delta` to every output bias, in the generated arrays. */
function shiftOutputBias(w: DenseWeights | FffWeights, delta: number): void {
  const b2 = w.kind === 'dense' ? w.b2 : w.leafB2;
  for (let k = 0; k < b2.length; k++) b2[k] += delta;
}

describe('large-model path: placing the parameters', () => {
  it('keeps the parameters as initializers up to maxModelBytes, and moves them out one byte past it', () => {
    const w = initDense({ inputDim: 33, outputDim: 7, depth: 2, leafWidth: 3, activation: 'relu' }, 4);
    const bytes = parameterBytes(w);
    assert.equal(bytes, weightBytes('dense', w.shape), 'parameterBytes agrees with the cost model the budget uses');
    const atLimit = buildModel(w, 5, { maxModelBytes: bytes });
    assert.equal(atLimit.placement, 'initializers');
    assert.deepEqual(atLimit.weightInputs, []);
    assert.ok(atLimit.bytes.byteLength > bytes, 'the initializers are inside the model');

    const over = buildModel(w, 5, { maxModelBytes: bytes - 1 });
    assert.equal(over.placement, 'inputs');
    assert.deepEqual(
      over.weightInputs.map((t) => t.name),
      DENSE_PARAMS,
    );
    assert.ok(over.bytes.byteLength < 2048, `the model holds no parameters: ${over.bytes.byteLength} bytes`);
    // fed in place: the very arrays of the generated weights, not copies
    assert.deepEqual(
      over.weightInputs.map((t) => t.data),
      [w.w1, w.b1, w.w2, w.b2],
    );
    assert.deepEqual(
      over.weightInputs.map((t) => t.dims),
      [[33, 12], [12], [12, 7], [7]],
    );
  });

  it('the default limit leaves room under protobuf 2 GiB, and ort-node counts no weight copies on the inputs path', () => {
    assert.ok(MAX_MODEL_BYTES < 2 ** 31 && MAX_MODEL_BYTES >= 2 ** 31 - 2 ** 27);
    assert.equal(placementFor(MAX_MODEL_BYTES), 'initializers');
    assert.equal(placementFor(MAX_MODEL_BYTES + 1), 'inputs');
    // the dense FF at i = o = 768, width 2^20: 6.4 GB of weights
    const shape = { inputDim: 768, outputDim: 768, depth: 15, leafWidth: 32, activation: 'relu' } as const;
    const dense15 = weightBytes('dense', shape);
    // chunked: every chunk's prepacked weights, plus one chunk's 2.5 copies while it is opened
    assert.equal(ortNodeBackend.weightCopies?.('dense', dense15), 1 + (2.5 * DENSE_CHUNK_BYTES) / dense15);
    assert.equal(ortNodeBackend.weightCopies?.('fff', weightBytes('fff', shape)), 0);
    assert.equal(ortNodeBackend.weightCopies?.('fff', 2 ** 30), 2.5);
    const tiny = createOrtNodeBackend({ maxModelBytes: 1000 });
    assert.equal(tiny.weightCopies?.('fff', 1000), 2.5);
    assert.equal(tiny.weightCopies?.('fff', 1001), 0);
  });

  it('denseChunks splits the hidden layer into chunks whose outputs sum to the layer (b2 once)', () => {
    const w = initDense({ inputDim: 33, outputDim: 7, depth: 4, leafWidth: 6, activation: 'relu' }, 5);
    const chunks = [...denseChunks(w, TINY_CHUNK)];
    assert.equal(chunks.length, 24, 'width 96 in chunks of 4 units');
    assert.deepEqual(
      chunks.map((c) => c.width),
      Array(24).fill(4),
    );
    assert.deepEqual(chunks[1].w1.slice(0, 4), w.w1.slice(4, 8), 'W1 columns 4..7 of row 0');
    assert.deepEqual(chunks[1].w1.slice(4, 8), w.w1.slice(96 + 4, 96 + 8), 'W1 columns 4..7 of row 1');
    assert.deepEqual(chunks[23].w2, w.w2.slice(92 * 7), 'the last W2 rows');
    assert.equal(chunks[0].b2, w.b2);
    assert.ok(
      chunks.slice(1).every((c) => c.b2.every((v) => v === 0)),
      'b2 is added once',
    );
    assert.equal([...denseChunks(w, 10 ** 9)].length, 1);
  });
});

/**
 * Every odd model through `backend` on the large-model path: onnxruntime lists the parameters
 * among the session's inputs, the output matches the reference, and runs read the generated
 * arrays as they are at run time (a bias changed after prepare shows in the next output).
 */
async function assertLargePath(backend: Backend): Promise<void> {
  for (const { what, weights, batch } of oddModels()) {
    const kernel = (await backend.prepare(weights, batch)) as OrtKernel;
    try {
      if (weights.kind === 'dense') {
        // hidden chunks of 4 units, one session each, constant weights
        assert.equal(kernel.placement, 'initializers', what);
        assert.equal(kernel.sessions, Math.ceil(weights.width / 4), what);
        assert.deepEqual(kernel.inputNames, ['x'], what);
      } else {
        assert.equal(kernel.placement, 'inputs', what);
        assert.equal(kernel.sessions, 1, what);
        assert.deepEqual(kernel.inputNames, ['x', ...paramNames(weights)], `${what}: the session's graph inputs`);
      }
      for (const seed of [1, 2]) {
        const x = randomInput(weights, batch, seed);
        await kernel.run(x);
        const y = (await kernel.output()).slice();
        assert.equal(y.length, batch * weights.shape.outputDim, what);
        const check = checkOutput(weights, x, y, batch);
        assert.ok(check.ok, `${what} (input ${seed}): max error ${check.maxRelError} of magnitude`);
      }
      if (weights.kind === 'dense') continue; // constants: nothing is read at run time
      const x = randomInput(weights, batch, 3);
      await kernel.run(x);
      const before = (await kernel.output()).slice();
      shiftOutputBias(weights, 1);
      await kernel.run(x);
      const after = await kernel.output();
      shiftOutputBias(weights, -1);
      for (let k = 0; k < before.length; k++) {
        assert.ok(Math.abs(after[k] - before[k] - 1) < 1e-4, `${what}: output ${k} moved by ${after[k] - before[k]}, not by the bias change of 1`);
      }
    } finally {
      await kernel.dispose();
    }
  }
}

describe('large-model path on the onnxruntime backends', () => {
  it('ort-node: past the limit, FFF of odd shapes take the inputs path and dense ones run as hidden chunks; all match the float64 reference', async () => {
    const backend = createOrtNodeBackend(LARGE);
    const availability = await backend.init({ runtime: 'node', cores: 2 });
    assert.ok(availability.ok, !availability.ok ? availability.reason : '');
    await assertLargePath(backend);
  });

  it('ort-node: past the limit, UltraFastBERT trees of odd shapes take the inputs path, every chunk of rows fed the same parameters; all match the float64 reference', async () => {
    const backend = createOrtNodeBackend(LARGE);
    assert.ok((await backend.init({ runtime: 'node', cores: 2 })).ok);
    for (const s of UFB_ODD_SHAPES) {
      const weights = initUfb(s, 3);
      const kernel = (await backend.prepare(weights, s.batchSize)) as OrtKernel;
      try {
        assert.equal(kernel.placement, 'inputs');
        const lowerLevels = s.depth + 1 > UFB_GEMM_LEVELS ? ['node_in', 'node_out'] : [];
        assert.deepEqual(kernel.inputNames, ['x', 'top_in', 'top_out', ...lowerLevels], `depth ${s.depth}: the session's graph inputs`);
        for (const seed of [1, 2]) {
          const x = randomInput(weights, s.batchSize, seed);
          await kernel.run(x);
          const check = checkOutput(weights, x, await kernel.output(), s.batchSize);
          assert.ok(check.ok, `ufb depth ${s.depth} batch ${s.batchSize} (input ${seed}): max error ${check.maxRelError} of magnitude`);
        }
      } finally {
        await kernel.dispose();
      }
    }
  });

  it('ort-node: below the limit the parameters stay constants in the model (a bias changed after prepare does not show)', async () => {
    const backend = createOrtNodeBackend({ maxModelBytes: 2 ** 20 });
    assert.ok((await backend.init({ runtime: 'node', cores: 2 })).ok);
    const weights = initFff({ inputDim: 33, outputDim: 7, depth: 4, leafWidth: 6, activation: 'gelu' }, 9);
    const kernel = (await backend.prepare(weights, 3)) as OrtKernel;
    assert.equal(kernel.placement, 'initializers');
    assert.deepEqual(kernel.inputNames, ['x']);
    const x = randomInput(weights, 3, 1);
    await kernel.run(x);
    const before = (await kernel.output()).slice();
    shiftOutputBias(weights, 1);
    await kernel.run(x);
    assert.deepEqual(await kernel.output(), before);
    await kernel.dispose();
  });

  it('ort-node: runCase checks and times the large-model paths (the FFF on inputs plans no backend copy)', async () => {
    const backend = createOrtNodeBackend(LARGE);
    assert.ok((await backend.init({ runtime: 'node', cores: 2 })).ok);
    const dense = await runCase(
      caseFor('ort-node', 'dense', { inputDim: 33, outputDim: 7, depth: 4, leafWidth: 6, batchSize: 257, activation: 'gelu' }),
      backend,
      TEST_CASE_CONTEXT,
    );
    assert.equal(dense.status, 'ok', `${dense.id}: ${dense.reason}`);
    assert.equal(dense.check?.ok, true);
    for (const model of ['fff'] as const) {
      const c = caseFor('ort-node', model, { inputDim: 33, outputDim: 7, depth: 4, leafWidth: 6, batchSize: 257, activation: 'gelu' });
      // a budget that 2.5 backend copies of the weights would exceed: only the inputs path fits
      const context = { ...TEST_CASE_CONTEXT, memoryBudgetBytes: plannedBytes(c, 0).total + weightBytes(model, c.shape) };
      const r = await runCase(c, backend, context);
      assert.equal(r.status, 'ok', `${r.id}: ${r.reason}`);
      assert.equal(r.check?.ok, true);
      const initializers = await runCase(c, ortNodeBackend, context);
      assert.equal(initializers.status, 'skipped', 'the default ort-node would plan 2.5 copies and be over that budget');
    }
  });

  it('ort-wasm: past the limit, FFF of odd shapes take the inputs path and dense ones run as hidden chunks; all match the float64 reference', async (t) => {
    const backend = createOrtWebBackend('ort-wasm', LARGE);
    const availability = await backend.init({ runtime: 'node', cores: 1 });
    if (!availability.ok) return t.skip(`ort-wasm does not load here: ${availability.reason}`);
    await assertLargePath(backend);
  });
});
