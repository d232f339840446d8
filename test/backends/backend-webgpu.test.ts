/**
 * The `webgpu` backend: its WGSL kernels against the float64 reference on odd shapes, in-process
 * (Node + Dawn) and through the CLI on node, deno and bun; and a clean skip where no adapter exists.
 *
 * Where this machine has no WebGPU adapter (no GPU and no Mesa lavapipe ≥ 25; .ci/install-webgpu.sh
 * installs it), the kernel tests check that every case is `skipped` with a reason instead. On an
 * adapter that is not a GPU (software, or unidentified: src/model/adapter.ts) the in-process tests
 * still check the kernels on small shapes, and the CLI runs only a correctness subset.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dawnGpu } from '../../runners/workers/gpu-dawn.ts';
import { checkOutput } from '../../src/execute/check.ts';
import { Rng } from '../../src/model/rng.ts';
import type { LayerShape } from '../../src/model/shape.ts';
import type { ResultsFile } from '../../src/results/schema.ts';
import { initDense, initFff, initUfb, type Weights } from '../../src/model/weights.ts';
import { hiddenChunk, prepareDense, splitK } from '../../src/backends/webgpu/dense.ts';
import { ANY_ADAPTER_VARIABLE, openGpu, type Gpu } from '../../src/backends/webgpu/device.ts';
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

test('UltraFastBERT odd shapes through the webgpu backend (in-process, Dawn), two batches through each kernel', {
  skip: noAdapter && `no adapter: ${noAdapter}`,
}, async () => {
  assert.deepEqual(await initOnAnyAdapter(), { ok: true });
  await assertUfbOddShapes(webgpuBackend);
});

test('UltraFastBERT WGSL kernel: outputs past one per invocation, inputs not a multiple of 64, depth 11 (in-process, Dawn)', {
  skip: noAdapter && `no adapter: ${noAdapter}`,
}, async () => {
  for (const [inputDim, outputDim, depth, batch] of [
    [130, 150, 2, 5],
    [64, 64, 11, 40],
  ]) {
    const shape = { inputDim, outputDim, depth, leafWidth: 1, activation: 'gelu', tree: 'ufb' } as const;
    await checkKernel(gpu!, initUfb(shape, 13), batch);
  }
});

test('webgpu backend info names the adapter, its class, and what a software or unidentified one measures', {
  skip: noAdapter && `no adapter: ${noAdapter}`,
}, async () => {
  assert.deepEqual(await initOnAnyAdapter(), { ok: true });
  const info = webgpuBackend.info();
  assert.equal(info.adapter, gpu!.adapter.label);
  assert.equal(info.adapterClass, gpu!.adapter.adapterClass);
  assert.match(info.notes ?? '', /^adapter: /);
  if (gpu!.adapter.adapterClass === 'software') assert.match(info.notes ?? '', /software \(CPU\) implementation/);
  if (gpu!.adapter.adapterClass === 'unidentified') assert.match(info.notes ?? '', /does not identify itself/);
});

/** The drivers' loaders given nothing to load: Vulkan's (Dawn, Deno's wgpu) and EGL's through glvnd (Deno's wgpu on OpenGL). */
const NO_DRIVERS = (dir: string) => ({ VK_ICD_FILENAMES: join(dir, 'no-such-driver.json'), __EGL_VENDOR_LIBRARY_FILENAMES: join(dir, 'no-such-vendor.json') });

test('without any adapter (the Vulkan and EGL loaders given no driver), every webgpu and ort-webgpu case is skipped with the reason, on node, deno and bun', {
  skip: process.platform !== 'linux' && 'hiding the drivers through their loaders works on Linux only',
}, () => {
  const dir = tempDir();
  const runtimes = ['node', 'deno', 'bun'];
  const suite = writeTinySuite(dir, { runtimes, backends: ['webgpu', 'ort-webgpu'], shapes: ODD_SHAPES.slice(0, 1) });
  const out = join(dir, 'results.json');
  const r = runCli(['run', suite, '--out', out], { env: NO_DRIVERS(dir), timeoutMs: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const file = JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;
  assert.equal(file.results.length, 4 * runtimes.length);
  for (const result of file.results) {
    assert.equal(result.status, 'skipped', `${result.id}: ${result.reason}`);
    assert.match(result.reason ?? '', new RegExp(`unavailable on ${result.runtime.name}: no WebGPU adapter`));
  }
  assert.equal(file.machine.gpus, undefined, 'no adapter, none recorded');
});

/**
 * On a software or unidentified adapter, the cases the CLI tests run with FFFBENCH_WEBGPU_ANY_ADAPTER=1:
 * webgpu's fused FFF kernel and UltraFastBERT's tree on tiny shapes, and one case over the cap, which
 * is skipped. Not the dense GEMM nor ort-webgpu: through Mesa's OpenGL llvmpipe their shaders take
 * from 45 s to minutes to compile (test/backends checks the kernels in process on Dawn's adapter).
 */
const NON_GPU_SUBSET = [
  { ...ODD_SHAPES[0], models: ['fff'], backends: ['webgpu'] },
  { ...UFB_ODD_SHAPES[3], models: ['ufb'], backends: ['webgpu'] },
  // 64 · 1024 · 128 = 8 M multiply-adds per batch, over the 4 M a software adapter runs
  { inputDim: 64, outputDim: 64, depth: 0, leafWidth: 1024, batchSize: 64, activation: 'relu', models: ['fff'], backends: ['webgpu'] },
] as unknown as typeof ODD_SHAPES;

// Through the CLI, `webgpu` on all shapes and `ort-webgpu` on ODD_SHAPES: per backend, every case
// ok with check.ok on a GPU; on a software or unidentified adapter every case skipped with the
// reason, then NON_GPU_SUBSET with FFFBENCH_WEBGPU_ANY_ADAPTER=1; without an adapter, skipped.
for (const runtime of ['node', 'deno', 'bun'] as const) {
  test(`fffbench run --backends webgpu,ort-webgpu on ${runtime}: ok on a GPU, skipped with the reason on anything else`, async (t) => {
    const webgpuOnly = [...EXTRA_SHAPES, ...UFB_ODD_SHAPES].map((s) => ({ ...s, backends: ['webgpu'] })) as typeof ODD_SHAPES;
    const shapes = [...ODD_SHAPES, ...webgpuOnly];
    const { file } = runTinySuite({
      runtimes: [runtime],
      backends: ['webgpu', 'ort-webgpu'],
      shapes,
      name: `webgpu-${runtime}`,
      timeoutMs: 300_000,
      env: { [ANY_ADAPTER_VARIABLE]: '' },
    });
    const expected = { webgpu: shapes.length * 2, 'ort-webgpu': ODD_SHAPES.length * 2 };
    let nonGpu: string | undefined;
    for (const [backend, count] of Object.entries(expected)) {
      const results = file.results.filter((r) => r.backend.name === backend);
      assert.equal(results.length, count, backend);
      const skipped = results.filter((r) => r.status === 'skipped');
      if (skipped.length > 0) {
        assert.equal(skipped.length, results.length, `${backend}: either unavailable or it runs every case`);
        for (const r of skipped) assert.match(r.reason ?? '', new RegExp(`backend ${backend} unavailable`));
        const reason = skipped[0].reason!;
        if (reason.includes(ANY_ADAPTER_VARIABLE)) {
          // an adapter that is not a GPU: named, classed, and refused before any case ran
          const adapterClass = skipped[0].backend.adapterClass;
          assert.ok(adapterClass === 'software' || adapterClass === 'unidentified', `${backend}: refused a ${adapterClass} adapter`);
          assert.match(reason, adapterClass === 'software' ? /software \(CPU\) implementation/ : /nothing shows it is a GPU/);
          assert.ok(file.machine.gpus?.includes(skipped[0].backend.adapter!), 'machine.gpus records the adapter found');
          nonGpu = adapterClass;
        } else if (runtime !== 'deno') {
          // Node and Bun both use Dawn: where it found an adapter in this process, they must too.
          assert.ok(noAdapter, `Dawn has an adapter here but ${backend} on ${runtime} skipped: ${reason}`);
        }
        t.diagnostic(`${backend} skipped: ${reason}`);
        continue;
      }
      for (const r of results) {
        assert.equal(r.status, 'ok', `${r.id}: ${r.status} ${r.reason ?? ''}`);
        assert.ok(r.check?.ok, r.id);
        assert.match(r.backend.notes ?? '', /^adapter: /);
        assert.equal(r.backend.adapterClass, 'hardware', r.id);
      }
    }
    if (!nonGpu) return;
    const subset = runTinySuite({
      runtimes: [runtime],
      backends: ['webgpu'],
      shapes: NON_GPU_SUBSET,
      name: `webgpu-${runtime}-any-adapter`,
      timeoutMs: 240_000,
      env: { [ANY_ADAPTER_VARIABLE]: '1' },
    }).file;
    const [small, ufb, large] = [
      subset.results.filter((r) => r.model === 'fff' && r.shape.batchSize === 1),
      subset.results.filter((r) => r.model === 'ufb'),
      subset.results.filter((r) => r.shape.leafWidth === 1024),
    ];
    for (const r of [...small, ...ufb]) {
      assert.equal(r.status, 'ok', `${r.id}: ${r.status} ${r.reason ?? ''}`);
      assert.ok(r.check?.ok, r.id);
      assert.equal(r.backend.adapterClass, nonGpu, r.id);
      assert.match(r.backend.notes ?? '', nonGpu === 'software' ? /measure CPU emulation, not a GPU/ : /nothing shows it is a GPU/);
    }
    assert.equal(small.length + ufb.length, 2);
    assert.equal(large.length, 1);
    assert.equal(large[0].status, 'skipped');
    assert.match(large[0].reason ?? '', /8\.0 M multiply-adds per batch, over the 4 M that run on a (software|unidentified) adapter/);
    t.diagnostic(`on the ${nonGpu} adapter: ${small[0].backend.adapter}`);
  });
}

/** webgpuBackend.init on Dawn's adapter, a software one too: the in-process tests check kernels on small shapes. */
async function initOnAnyAdapter() {
  const before = process.env[ANY_ADAPTER_VARIABLE];
  process.env[ANY_ADAPTER_VARIABLE] = '1';
  try {
    return await webgpuBackend.init({ runtime: 'node', cores: 1, gpu: dawnGpu });
  } finally {
    if (before === undefined) delete process.env[ANY_ADAPTER_VARIABLE];
    else process.env[ANY_ADAPTER_VARIABLE] = before;
  }
}
