import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measureReadBandwidth } from '../../src/backends/wasm/bandwidth.ts';
import { expectedDistinct, flopsPerBatch, minimumBytes, rooflineFloor } from '../../src/measure/roofline.ts';
import type { CaseShape } from '../../src/model/shape.ts';

const fig3 = (depth: number, batchSize: number): CaseShape => ({
  inputDim: 768,
  outputDim: 768,
  depth,
  leafWidth: 32,
  trainingWidth: 2 ** depth * 32,
  batchSize,
  activation: 'relu',
});

describe('roofline', () => {
  it('expected distinct leaves: one draw hits one, many draws hit them all', () => {
    assert.equal(expectedDistinct(4096, 1), 1);
    assert.ok(Math.abs(expectedDistinct(4096, 256) - 4096 * (1 - (4095 / 4096) ** 256)) < 1e-9);
    assert.ok(expectedDistinct(8, 10_000) > 7.999);
  });
  it('FFF at d = 12, batch 1 must touch about 237 KB of weights (issue 8: "about 233 KB")', () => {
    const bytes = minimumBytes('fff', fig3(12, 1));
    const weights = bytes - 2 * 768 * 4;
    assert.ok(weights > 230e3 && weights < 240e3, `${weights}`);
  });
  it('FFF at d = 12, batch 256 counts each distinct leaf once (about 50 MB)', () => {
    const bytes = minimumBytes('fff', fig3(12, 256));
    assert.ok(bytes > 45e6 && bytes < 55e6, `${bytes}`);
  });
  it('dense reads every weight; the floor takes the binding limit', () => {
    const s = fig3(7, 256);
    assert.ok(minimumBytes('dense', s) > 4096 * 1536 * 4);
    assert.equal(flopsPerBatch('dense', s), 2 * 256 * 4096 * 1536);
    const calibration = { readBandwidth: 20e9, copyBandwidth: 30e9, peakFlops: 100e9, peakBackend: 'x', gemmFlops: {} };
    const dense = rooflineFloor('dense', s, calibration);
    assert.equal(dense.bound, 'compute');
    assert.equal(dense.floorNs, (flopsPerBatch('dense', s) / 100e9) * 1e9);
    assert.equal(rooflineFloor('fff', fig3(12, 1), calibration).bound, 'memory');
  });
  it('the wasm streaming read measures a positive bandwidth (and checks its own sum)', async () => {
    const bandwidth = await measureReadBandwidth(8 * 2 ** 20, 2);
    assert.ok(bandwidth > 1e8, `${bandwidth}`);
  });
  it('the all-core read runs the same probe on every thread and checks the sum each thread read', async () => {
    const { measureAllCoreReadBandwidth } = await import('../../src/backends/wasm-mt/bandwidth.ts');
    const bandwidth = await measureAllCoreReadBandwidth(8 * 2 ** 20 + 64 * 3, 1, 3);
    assert.ok(bandwidth > 1e8, `${bandwidth}`);
  });
  it('the report says how many threads read, with the one-thread figure beside it', async () => {
    const { formatReadBandwidth } = await import('../../src/text/format.ts');
    assert.equal(formatReadBandwidth({ readBandwidth: 19.2e9, readThreads: 2, oneThreadReadBandwidth: 9.6e9 }), '19.2 GB/s (2 threads; one 9.6)');
    assert.equal(formatReadBandwidth({ readBandwidth: 9.6e9, readThreads: 1, oneThreadReadBandwidth: 9.6e9 }), '9.6 GB/s (1 thread)');
    assert.equal(formatReadBandwidth({ readBandwidth: 9.6e9 }), '9.6 GB/s');
  });
});

describe('effective limits', () => {
  it('a result faster than the calibrated peak raises the peak, so no multiple falls below 1', async () => {
    const { effectiveLimits, withRoofline } = await import('../../src/results/roofline.ts');
    const { summarize } = await import('../../src/measure/stats.ts');
    const shape = fig3(7, 256);
    const flops = flopsPerBatch('dense', shape);
    const result = {
      id: 'node/x/dense/s',
      runtime: { name: 'node' as const, version: '20' },
      backend: { name: 'x', version: '1', threads: 1 },
      model: 'dense' as const,
      shape,
      status: 'ok' as const,
      cost: { macsPerSample: 0, weightBytes: 0, bytesTouchedPerSample: 0 },
      stats: summarize([(flops / 50e9) * 1e9, (flops / 50e9) * 1e9, (flops / 50e9) * 1e9]), // 50 GFLOP/s achieved
    };
    const calibration = { node: { readBandwidth: 20e9, copyBandwidth: 30e9, peakFlops: 30e9, peakBackend: 'x', gemmFlops: {} } };
    const limits = effectiveLimits([result], calibration);
    assert.ok(Math.abs(limits.node.peakFlops - 50e9) < 1e3);
    assert.deepEqual(limits.node.raisedBy, ['peak from node/x/dense/s']);
    const [annotated] = withRoofline([result], limits);
    assert.ok(Math.abs(annotated.roofline!.multiple - 1) < 1e-9);
    assert.equal(effectiveLimits([result], { node: { ...calibration.node, peakFlops: 80e9 } }).node.raisedBy, undefined);
  });
});
