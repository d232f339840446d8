/**
 * The onnxruntime backends (ort-wasm, ort-wasm-mt, ort-node) and the hand-written ONNX encoder
 * under them: the models it writes load in onnxruntime and compute the float64 reference's
 * function, and every backend passes the odd shapes (UltraFastBERT's too) in every runtime where
 * it is available.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { availableParallelism } from 'node:os';
import { ortNodeBackend } from '../../src/backends/onnx/ort-node.ts';
import { createOrtWebBackend, ortWasmBackend, ortWasmMtBackend } from '../../src/backends/onnx/ort-web.ts';
import { encodeModel, GraphBuilder } from '../../src/backends/onnx/onnx-model.ts';
import { ProtoWriter } from '../../src/backends/onnx/protobuf.ts';
import { checkOutput } from '../../src/execute/check.ts';
import { Rng } from '../../src/model/rng.ts';
import type { LayerShape } from '../../src/model/shape.ts';
import { initDense, initFff, type Weights } from '../../src/model/weights.ts';
import { assertUfbOddShapes, ODD_SHAPES, okOrSkippedWithReason, ROOT, runTinySuite, UFB_ODD_SHAPES } from '../support.ts';

const ORT_BACKENDS = ['ort-wasm', 'ort-wasm-mt', 'ort-node'];

describe('protobuf writer', () => {
  it('writes tags, varints (multi-byte and negative int64), floats and packed ints as protobuf does', () => {
    const bytes = (w: ProtoWriter) => Array.from(w.finish());
    assert.deepEqual(bytes(new ProtoWriter().int(1, 300)), [0x08, 0xac, 0x02]);
    assert.deepEqual(bytes(new ProtoWriter().int(2, -1)), [0x10, ...Array(9).fill(0xff), 0x01]);
    assert.deepEqual(bytes(new ProtoWriter().float(2, 1)), [0x15, 0x00, 0x00, 0x80, 0x3f]);
    assert.deepEqual(bytes(new ProtoWriter().packedInts(1, [3, 270])), [0x0a, 0x03, 0x03, 0x8e, 0x02]);
    assert.deepEqual(bytes(new ProtoWriter().message(3, new ProtoWriter().string(1, 'ab'))), [0x1a, 0x04, 0x0a, 0x02, 0x61, 0x62]);
  });

  it('rejects an initializer whose data does not fill its dims', () => {
    const g = new GraphBuilder();
    g.constant('w', new Float32Array(5), [2, 3]);
    assert.throws(() => encodeModel(g.build('bad', [])), /dims 2,3 hold 6 values, data has 5/);
  });
});

describe('ONNX graphs through the backends', () => {
  const shapes: [LayerShape, number][] = [
    [{ inputDim: 13, outputDim: 5, depth: 0, leafWidth: 3, activation: 'relu' }, 2],
    [{ inputDim: 13, outputDim: 5, depth: 1, leafWidth: 2, activation: 'gelu' }, 9],
    [{ inputDim: 24, outputDim: 3, depth: 4, leafWidth: 1, activation: 'relu' }, 64],
    [{ inputDim: 7, outputDim: 1, depth: 3, leafWidth: 4, activation: 'gelu' }, 5],
  ];
  const models: [string, Weights, number][] = shapes.flatMap(([s, batch]) => [
    [`fff ${JSON.stringify(s)} b${batch}`, initFff(s, 11), batch] as [string, Weights, number],
    [`dense ${JSON.stringify(s)} b${batch}`, initDense(s, 11), batch] as [string, Weights, number],
  ]);

  // All three backends in this one process, web builds first: also checks that they stay
  // separate (thread counts, and ort-node's 'cpu' sessions staying native).
  const cores = availableParallelism();
  const backends = [ortWasmBackend, ...(cores >= 2 ? [ortWasmMtBackend] : []), ortNodeBackend];
  for (const backend of backends) {
    it(`run in ${backend.name} (in process, after the web builds) and match the float64 reference: dense, FFF of depth 0–4, relu and gelu`, async () => {
      const availability = await backend.init({ runtime: 'node', cores });
      assert.ok(availability.ok, !availability.ok ? availability.reason : '');
      assert.equal(backend.info().threads, backend === ortWasmBackend ? 1 : cores);
      for (const [what, weights, batch] of models) {
        const kernel = await backend.prepare(weights, batch);
        const x = new Rng(batch).fillUniform(new Float32Array(batch * weights.shape.inputDim), 1);
        await kernel.run(x);
        const y = await kernel.output();
        assert.equal(y.length, batch * weights.shape.outputDim, what);
        const check = checkOutput(weights, x, y, batch);
        assert.ok(check.ok, `${what}: max error ${check.maxRelError} of magnitude`);
        await kernel.dispose();
      }
    });

    it(`${backend.name} passes the UltraFastBERT odd shapes (batch 257 in two chunks of rows), two batches through each kernel`, () =>
      assertUfbOddShapes(backend));
  }
});

describe('onnxruntime backends', () => {
  it('ort-wasm-mt is unavailable, with the reason, on one core', async () => {
    const r = await createOrtWebBackend('ort-wasm-mt').init({ runtime: 'node', cores: 1 });
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.reason : '', /only 1 core/);
  });

  it("ort-node refuses to run when another library's build holds the 'cpu' execution provider", () => {
    // onnxruntime-web's CommonJS build shares onnxruntime-node's onnxruntime-common and, loaded
    // first, keeps 'cpu' for WebAssembly; ort-node must notice rather than time WASM as native.
    const script =
      `import { createRequire } from 'node:module';\n` +
      `createRequire(import.meta.url)('onnxruntime-web');\n` +
      `const { ortNodeBackend } = await import('./src/backends/onnx/ort-node.ts');\n` +
      `console.log('RESULT ' + JSON.stringify(await ortNodeBackend.init({ runtime: 'node', cores: 1 })));\n`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-'], { cwd: ROOT, input: script, encoding: 'utf8', timeout: 60_000 });
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    assert.ok(line, `no result: ${r.stderr}`);
    const result = JSON.parse(line.slice('RESULT '.length));
    assert.equal(result.ok, false);
    assert.match(result.reason, /routed the 'cpu' execution provider to .*not onnxruntime-node's OnnxruntimeSessionHandler/);
  });

  it("pass the odd shapes, UltraFastBERT's too, on node, deno and bun (or skip with a reason), with the thread counts they claim", () => {
    const shapes = [...ODD_SHAPES, ...UFB_ODD_SHAPES];
    const { file } = runTinySuite({ runtimes: ['node', 'deno', 'bun'], backends: ORT_BACKENDS, shapes, timeoutMs: 300_000 });
    assert.equal(file.results.length, shapes.length * 2 * 3 * ORT_BACKENDS.length);
    const cores = availableParallelism();
    for (const r of okOrSkippedWithReason(file.results)) {
      assert.equal(r.backend.version, '1.30.0');
      const expectedThreads = r.backend.name === 'ort-wasm' ? 1 : cores;
      assert.equal(r.backend.threads, expectedThreads, `${r.id}: threads`);
    }
    // All three are known to run on node (ort-wasm-mt given two cores or more): a skip there is a regression.
    for (const backend of ORT_BACKENDS) {
      if (backend === 'ort-wasm-mt' && cores < 2) continue;
      const onNode = file.results.filter((r) => r.runtime.name === 'node' && r.backend.name === backend);
      assert.ok(onNode.length > 0 && onNode.every((r) => r.status === 'ok'), `${backend} did not run on node: ${onNode.map((r) => r.reason).join('; ')}`);
    }
  });
});
