/**
 * What the tests and the WebGPU backends do without an optional system component, checked in
 * process: the report-page tests without Chromium (skip with the reason, fail in CI), and a WebGPU
 * adapter that is not known to be a GPU — a software one, or one whose info names nothing (Deno's
 * wgpu on Mesa's OpenGL llvmpipe on some machines) — which is classed, refused by default, held to
 * correctness-sized cases when asked for, and never judged (test/unit/verdicts.test.ts). The same
 * through the CLI on each runtime, with the drivers hidden from their loaders: test/backends/backend-webgpu.test.ts.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { describe, it } from 'node:test';
import {
  ANY_ADAPTER_VARIABLE,
  checkNonGpuCaseSize,
  NON_GPU_MAX_MACS,
  nonGpuRefusal,
  summarizeAdapter,
  type AdapterSummary,
} from '../../src/backends/webgpu/device.ts';
import { CaseTooLarge } from '../../src/backends/types.ts';
import { adapterClassOf } from '../../src/model/adapter.ts';
import { initDense, initFff } from '../../src/model/weights.ts';
import { withReportPage } from '../browser.ts';

/** Runs `body` with the environment variables set (undefined: removed), then puts them back. */
async function withEnv<T>(vars: Record<string, string | undefined>, body: () => Promise<T> | T): Promise<T> {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const put = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  put(vars);
  try {
    return await body();
  } finally {
    put(before);
  }
}

describe('without Chromium', () => {
  const skippedWith: string[] = [];
  const context = { skip: (message: string) => skippedWith.push(message) } as unknown as TestContext;
  const neverOpened = async () => assert.fail('the page was opened without Chromium');

  it('a report-page test skips, naming the missing binary and the script that installs it', async () => {
    await withEnv({ FFFBENCH_CHROMIUM: '/nonexistent/chromium', CI: undefined }, () => withReportPage(context, '/nonexistent/index.html', neverOpened));
    assert.deepEqual(skippedWith, ['Chromium is not installed at /nonexistent/chromium: run .ci/install-chromium.sh']);
  });

  it('in CI (CI=true) it fails instead: .ci/run installs Chromium, so its absence is a broken set-up', async () => {
    await assert.rejects(
      withEnv({ FFFBENCH_CHROMIUM: '/nonexistent/chromium', CI: 'true' }, () => withReportPage(context, '/nonexistent/index.html', neverOpened)),
      /Chromium is not installed at \/nonexistent\/chromium/,
    );
  });
});

/** A GPUAdapter that reports `info` (and nothing else the summary reads). */
const adapterWith = (info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean }) => ({ info }) as unknown as GPUAdapter;

describe('WebGPU adapter classes', () => {
  it('an adapter whose info is blank, or holds bare numbers only, is unidentified, and its label says so', async () => {
    const blank = await summarizeAdapter(adapterWith({ vendor: '', architecture: '', device: '', description: '' }));
    assert.equal(blank.adapterClass, 'unidentified');
    assert.equal(blank.label, '[unidentified adapter: no vendor, architecture, device or description names it]');
    // Mesa's vendor id and a device id "0", nothing else: what wgpu reports for llvmpipe without its description
    const numbers = await summarizeAdapter(adapterWith({ vendor: '65541', architecture: '', device: '0', description: '' }));
    assert.equal(numbers.adapterClass, 'unidentified');
    assert.match(numbers.label, /^65541 0 \[unidentified adapter/);
    assert.equal(
      (await summarizeAdapter(adapterWith({ vendor: '0x10de', device: '0x2330' }))).adapterClass,
      'unidentified',
      'hexadecimal PCI ids name nothing either',
    );
    const legacy = { requestAdapterInfo: async () => ({}) } as unknown as GPUAdapter;
    assert.equal((await summarizeAdapter(legacy)).adapterClass, 'unidentified', 'an implementation with only requestAdapterInfo(), answering nothing');
  });

  it('a CPU implementation is software, by its name or because it calls itself a fallback adapter', async () => {
    const gl = await summarizeAdapter(adapterWith({ vendor: '65541', device: '0', description: 'llvmpipe (LLVM 15.0.6, 256 bits)', isFallbackAdapter: true }));
    assert.equal(gl.adapterClass, 'software');
    assert.equal(gl.label, '65541 llvmpipe (LLVM 15.0.6, 256 bits) [software adapter]');
    assert.equal(
      (await summarizeAdapter(adapterWith({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader Device (Subzero)' }))).adapterClass,
      'software',
    );
    assert.equal((await summarizeAdapter(adapterWith({ vendor: 'mesa', description: 'lavapipe' }))).adapterClass, 'software');
    const fallback = await summarizeAdapter(adapterWith({ isFallbackAdapter: true }));
    assert.equal(fallback.adapterClass, 'software', 'a fallback adapter naming nothing is software, not unidentified');
    assert.equal(fallback.label, 'fallback adapter [software adapter]');
  });

  it('an adapter that names itself, and is none of those, is hardware: its label is its name', async () => {
    const h200 = await summarizeAdapter(adapterWith({ vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' }));
    assert.equal(h200.adapterClass, 'hardware');
    assert.equal(h200.label, 'nvidia hopper NVIDIA H200');
    assert.equal(
      (await summarizeAdapter(adapterWith({ vendor: '4318', device: '8891', description: 'NVIDIA GeForce RTX 4090' }))).adapterClass,
      'hardware',
      "wgpu's numeric vendor with a description",
    );
  });

  it('a results file is read the same way: its adapterClass, else (files from before it) the label and notes', () => {
    assert.equal(adapterClassOf({ adapter: 'nvidia hopper NVIDIA H200', adapterClass: 'hardware' }), 'hardware');
    assert.equal(adapterClassOf({ adapter: 'whatever it says', adapterClass: 'unidentified' }), 'unidentified', 'the recorded class wins');
    assert.equal(adapterClassOf({ adapter: 'unnamed adapter' }), 'unidentified', 'the label older runs gave a blank adapter');
    assert.equal(adapterClassOf({ adapter: '65541 0' }), 'unidentified');
    assert.equal(adapterClassOf({ adapter: 'nvidia ampere NVIDIA A100' }), 'hardware');
    assert.equal(adapterClassOf({ adapter: 'llvmpipe (LLVM 19, 256 bits), software adapter' }), 'software');
    assert.equal(adapterClassOf({ notes: 'adapter: llvmpipe (LLVM 15.0.6) [software adapter]' }), 'software', 'notes only (the oldest files)');
    assert.equal(adapterClassOf({ notes: 'packed 4x4 GEMM' }), undefined, 'a CPU backend used no adapter');
  });
});

describe('a WebGPU backend on an adapter that is not a GPU', () => {
  const adapter = (adapterClass: AdapterSummary['adapterClass']): AdapterSummary => ({
    vendor: '',
    architecture: '',
    device: '',
    description: '',
    adapterClass,
    label: `test ${adapterClass} adapter`,
  });
  const shape = { inputDim: 64, outputDim: 64, depth: 0, leafWidth: 1024, activation: 'relu' } as const;

  it('refuses it unless FFFBENCH_WEBGPU_ANY_ADAPTER=1, saying what it is and how to run it anyway', async () => {
    await withEnv({ [ANY_ADAPTER_VARIABLE]: undefined }, () => {
      assert.equal(nonGpuRefusal(adapter('hardware')), undefined);
      assert.match(
        nonGpuRefusal(adapter('software'))!,
        /test software adapter: a software \(CPU\) implementation of WebGPU\. Its timings would measure no GPU.*FFFBENCH_WEBGPU_ANY_ADAPTER=1 runs cases of up to 4 M multiply-adds/,
      );
      assert.match(nonGpuRefusal(adapter('unidentified'))!, /test unidentified adapter: nothing shows it is a GPU\./);
    });
    await withEnv({ [ANY_ADAPTER_VARIABLE]: '1' }, () => {
      assert.equal(nonGpuRefusal(adapter('software')), undefined);
      assert.equal(nonGpuRefusal(adapter('unidentified')), undefined);
    });
  });

  it('runs only cases up to 4 M multiply-adds per batch there (CaseTooLarge: skipped with the numbers); a GPU runs any', () => {
    const fff = initFff(shape, 1); // 1024 · 128 = 128 Ki multiply-adds per sample
    assert.equal(NON_GPU_MAX_MACS, 4 * 2 ** 20);
    checkNonGpuCaseSize(adapter('software'), fff, 32); // exactly 4 M
    assert.throws(
      () => checkNonGpuCaseSize(adapter('software'), fff, 33),
      (err: Error) => err instanceof CaseTooLarge && /4\.1 M multiply-adds per batch, over the 4 M that run on a software adapter/.test(err.message),
    );
    assert.throws(() => checkNonGpuCaseSize(adapter('unidentified'), initDense(shape, 1), 64), CaseTooLarge);
    checkNonGpuCaseSize(adapter('hardware'), initDense(shape, 1), 16384);
  });
});
