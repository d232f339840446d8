/**
 * The `webgpu` backend: its WGSL kernels against the float64 reference on odd shapes, in-process
 * (Node + Dawn) and through the CLI on node, deno and bun; and a clean skip where no adapter exists.
 *
 * Where this machine has no WebGPU adapter (no GPU and no Mesa lavapipe ≥ 25; .ci/install-webgpu.sh
 * installs it), the kernel tests check that every case is `skipped` with a reason instead.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dawnGpu } from '../../runners/gpu-dawn.ts';
import { checkOutput } from '../../src/execute/check.ts';
import { Rng } from '../../src/model/rng.ts';
import type { LayerShape } from '../../src/model/shape.ts';
import type { ResultsFile } from '../../src/results/schema.ts';
import { initDense, initFff, initUfb, type Weights } from '../../src/model/weights.ts';
import { hiddenChunk, prepareDense, splitK } from '../../src/backends/webgpu/dense.ts';
import { openGpu, type Gpu } from '../../src/backends/webgpu/device.ts';
import { prepareFff, usesGrouping } from '../../src/backends/webgpu/fff.ts';
import { prepareUfb } from '../../src/backends/webgpu/ufb.ts';
import { webgpuBackend } from '../../src/backends/webgpu/index.ts';
import { assertUfbOddShapes, ODD_SHAPES, runCli, runTinySuite, tempDir, UFB_ODD_SHAPES, writeTinySuite } from '../support.ts';

const opened = await openGpu(dawnGpu);
const gpu: Gpu | undefined = 'reason' in opened ? undefined : opened;
const noAdapter = 'reason' in opened ? opened.reason : undefined;

test('init without a WebGPU entry point, or with one that fails, reports why instead of throwing', async () => {
  // openGpu is what init calls; the backend's own init caches its device, so test the probe directly
  const none = await openGpu(undefined);
  assert.ok('reason' in none && /no WebGPU entry point/.test(none.reason));
  const failing = await openGpu(async () => {
    throw new Error('dawn.node did not load');
  });
  assert.ok('reason' in failing && /dawn\.node did not load/.test(failing.reason));
  const noAdapterGpu = await openGpu(async () => ({ requestAdapter: async () => null }) as unknown as GPU);
  assert.ok('reason' in noAdapterGpu && /no WebGPU adapter/.test(noAdapterGpu.reason));
});

/** Runs the backend's kernel on random inputs and checks it against the float64 reference. */
async function checkKernel(g: Gpu, weights: Weights, batch: number, options: { maxBindingBytes?: number } = {}) {
  const i = weights.shape.inputDim;
  const kernel =
    weights.kind === 'dense'
      ? await prepareDense({ ...g, maxBindingBytes: options.maxBindingBytes ?? g.maxBindingBytes }, weights, batch)
      : weights.kind === 'ufb'
        ? await prepareUfb(g, weights, batch)
        : await prepareFff(g, weights, batch);
  try {
    // two different inputs: the second run must not depend on the first (accumulators, routing state)
    for (const seed of [1, 2]) {
      const input = new Rng(seed).fillUniform(new Float32Array(batch * i), 1);
      await kernel.run(input);
      const check = checkOutput(weights, input, await kernel.output(), batch);
      assert.ok(check.ok, `${weights.kind} ${JSON.stringify(weights.shape)} batch ${batch}: max error ${check.maxRelError} > ${check.tolerance}`);
    }
  } finally {
    await kernel.dispose();
  }
}

/** Shapes that reach the kernels' remaining edges (tile remainders, several rounds per loop). */
const EXTRA_SHAPES: typeof ODD_SHAPES = [
  // depth 0: tiles of 8 samples, the last one partial
  { inputDim: 33, outputDim: 7, depth: 0, leafWidth: 3, batchSize: 21, activation: 'gelu' },
  // ℓ and o > 64: several rounds of hidden units per leaf, several outputs per invocation
  { inputDim: 40, outputDim: 70, depth: 2, leafWidth: 70, batchSize: 5, activation: 'gelu' },
  { inputDim: 40, outputDim: 7, depth: 0, leafWidth: 130, batchSize: 3, activation: 'relu' },
  // grouped by leaf, the last tile partial
  { inputDim: 33, outputDim: 7, depth: 2, leafWidth: 5, batchSize: 101, activation: 'relu' },
  // dense: more than one 64-row tile and one 16-deep K step
  { inputDim: 130, outputDim: 3, depth: 1, leafWidth: 1, batchSize: 70, activation: 'relu' },
];

test('WGSL kernels match the float64 reference on odd shapes (in-process, Dawn)', { skip: noAdapter && `no adapter: ${noAdapter}` }, async () => {
  const g = gpu!;
  for (const s of [...ODD_SHAPES, ...EXTRA_SHAPES]) {
    await checkKernel(g, initFff(s, 11), s.batchSize);
    await checkKernel(g, initDense(s, 12), s.batchSize);
  }
  // the shapes above reach both FFF strategies
  assert.ok(ODD_SHAPES.some((s) => usesGrouping(s.depth, s.batchSize)));
  assert.ok(ODD_SHAPES.some((s) => !usesGrouping(s.depth, s.batchSize)));
});

test('dense GEMM split into hidden chunks, and split-K, where needed (in-process, Dawn)', { skip: noAdapter && `no adapter: ${noAdapter}` }, async () => {
  const narrow: LayerShape = { inputDim: 33, outputDim: 7, depth: 4, leafWidth: 10, activation: 'gelu' }; // W = 160
  // 64 hidden columns × 33 inputs fit one binding, 160 do not: chunks of 64, 64 and 32
  assert.equal(hiddenChunk(160, 33, 7, 9, 33 * 100 * 4), 64);
  await checkKernel(gpu!, initDense(narrow, 3), 9, { maxBindingBytes: 33 * 100 * 4 });
  // one 64 × 64 output tile and K = 3000: two K splits, then the reduction adds b2
  const long: LayerShape = { inputDim: 33, outputDim: 7, depth: 0, leafWidth: 3000, activation: 'relu' };
  assert.equal(splitK(5, 7, 3000, gpu!.maxBindingBytes).splits, 2);
  await checkKernel(gpu!, initDense(long, 4), 5);
  // chunks of 2048, 2048 and 4 hidden units: split-K with b2, split-K accumulating, plain accumulating
  const both: LayerShape = { inputDim: 33, outputDim: 7, depth: 2, leafWidth: 1025, activation: 'gelu' };
  assert.equal(hiddenChunk(4100, 33, 7, 5, 33 * 2100 * 4), 2048);
  await checkKernel(gpu!, initDense(both, 5), 5, { maxBindingBytes: 33 * 2100 * 4 });
});

test('UltraFastBERT odd shapes through the webgpu backend (in-process, Dawn), two batches through each kernel', { skip: noAdapter && `no adapter: ${noAdapter}` }, async () => {
  assert.deepEqual(await webgpuBackend.init({ runtime: 'node', cores: 1, gpu: dawnGpu }), { ok: true });
  await assertUfbOddShapes(webgpuBackend);
});

test('UltraFastBERT WGSL kernel: outputs past one per invocation, inputs not a multiple of 64, depth 11 (in-process, Dawn)', { skip: noAdapter && `no adapter: ${noAdapter}` }, async () => {
  for (const [inputDim, outputDim, depth, batch] of [[130, 150, 2, 5], [64, 64, 11, 40]]) {
    const shape = { inputDim, outputDim, depth, leafWidth: 1, activation: 'gelu', tree: 'ufb' } as const;
    await checkKernel(gpu!, initUfb(shape, 13), batch);
  }
});

test('webgpu backend info names the adapter and flags a software one', { skip: noAdapter && `no adapter: ${noAdapter}` }, async () => {
  const availability = await webgpuBackend.init({ runtime: 'node', cores: 1, gpu: dawnGpu });
  assert.deepEqual(availability, { ok: true });
  const info = webgpuBackend.info();
  assert.equal(info.adapter, gpu!.adapter.label);
  assert.match(info.notes ?? '', /^adapter: /);
  if (gpu!.adapter.software) assert.match(info.notes ?? '', /software/);
});

test('without any adapter (Vulkan loader given no driver), every webgpu case is skipped with the reason', { skip: process.platform !== 'linux' && 'hiding the adapter through the Vulkan loader works on Linux only' }, () => {
  const dir = tempDir();
  const suite = writeTinySuite(dir, { runtimes: ['node'], backends: ['webgpu', 'ort-webgpu'], shapes: ODD_SHAPES.slice(0, 1) });
  const out = join(dir, 'results.json');
  const r = runCli(['run', suite, '--out', out], { env: { VK_ICD_FILENAMES: join(dir, 'no-such-driver.json') } });
  assert.equal(r.status, 0, r.stderr);
  const file = JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;
  assert.equal(file.results.length, 4);
  for (const result of file.results) {
    assert.equal(result.status, 'skipped', `${result.id}: ${result.reason}`);
    assert.match(result.reason ?? '', /unavailable on node: no WebGPU adapter/);
  }
});

// Through the CLI, `webgpu` on all shapes and `ort-webgpu` on ODD_SHAPES: per backend, every case
// ok with check.ok, or (no adapter in that runtime) every case skipped with the reason.
for (const runtime of ['node', 'deno', 'bun'] as const) {
  test(`fffbench run --backends webgpu,ort-webgpu on ${runtime}: every case ok, or skipped with a reason`, async (t) => {
    const webgpuOnly = [...EXTRA_SHAPES, ...UFB_ODD_SHAPES].map((s) => ({ ...s, backends: ['webgpu'] })) as typeof ODD_SHAPES;
    const shapes = [...ODD_SHAPES, ...webgpuOnly];
    const { file } = runTinySuite({ runtimes: [runtime], backends: ['webgpu', 'ort-webgpu'], shapes, name: `webgpu-${runtime}`, timeoutMs: 300_000 });
    const expected = { webgpu: shapes.length * 2, 'ort-webgpu': ODD_SHAPES.length * 2 };
    for (const [backend, count] of Object.entries(expected)) {
      const results = file.results.filter((r) => r.backend.name === backend);
      assert.equal(results.length, count, backend);
      const skipped = results.filter((r) => r.status === 'skipped');
      if (skipped.length > 0) {
        assert.equal(skipped.length, results.length, `${backend}: either unavailable or it runs every case`);
        for (const r of skipped) assert.match(r.reason ?? '', new RegExp(`backend ${backend} unavailable`));
        // Node and Bun both use Dawn: where it found an adapter in this process, they must too.
        if (runtime !== 'deno') assert.ok(noAdapter, `Dawn has an adapter here but ${backend} on ${runtime} skipped: ${skipped[0].reason}`);
        t.diagnostic(`${backend} skipped: ${skipped[0].reason}`);
        continue;
      }
      for (const r of results) {
        assert.equal(r.status, 'ok', `${r.id}: ${r.status} ${r.reason ?? ''}`);
        assert.ok(r.check?.ok, r.id);
        assert.match(r.backend.notes ?? '', /^adapter: /);
      }
    }
  });
}
