import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsBackend } from '../../src/backends/js/index.ts';
import type { Backend } from '../../src/backends/types.ts';
import { caseId, type CaseSpec } from '../../src/model/case.ts';
import { runCase } from '../../src/execute/run-case.ts';
import { trainingWidth, type ModelKind } from '../../src/model/shape.ts';
import { assertRandomShapesPass, assertUfbOddShapes, assertUfbOddShapesInWorkers, ODD_SHAPES, randomShapes } from '../support.ts';

const ctx = {
  seed: 3,
  measurement: { minTimeMs: 1, minSamples: 3, maxSamples: 50, warmupSamples: 0, maxCaseTimeMs: 50 },
  maxWeightBytes: 2 ** 28,
  memoryBudgetBytes: 2 ** 32,
  runtimeVersion: process.versions.node,
};

function spec(model: ModelKind, s: (typeof ODD_SHAPES)[number]): CaseSpec {
  const shape = { ...s, trainingWidth: trainingWidth(s) };
  return { id: caseId('node', 'js', model, shape), runtime: 'node', backend: 'js', model, shape };
}

describe('js backend against the float64 reference', () => {
  it('passes the odd shapes', async () => {
    for (const s of ODD_SHAPES) {
      for (const model of ['fff', 'dense'] as const) {
        const r = await runCase(spec(model, s), jsBackend, ctx);
        assert.equal(r.status, 'ok', `${r.id}: ${r.reason}`);
        assert.ok(r.check!.ok && r.check!.maxRelError < 1e-5, `${r.id}: ${r.check!.maxRelError}`);
        assert.ok(r.stats!.n >= 3 && r.stats!.median > 0);
      }
    }
  });

  it('passes random shapes', () => assertRandomShapesPass(jsBackend, randomShapes(99, 12)));

  it('passes the UltraFastBERT odd shapes, two batches through each kernel', () => assertUfbOddShapes(jsBackend));

  it('runs the UltraFastBERT odd shapes, tree and dense, in node, deno and bun workers', () => assertUfbOddShapesInWorkers('js'));

  it('marks a wrong kernel invalid and does not time it', async () => {
    const broken: Backend = {
      ...jsBackend,
      async prepare(w, batch) {
        const k = await jsBackend.prepare(w, batch);
        return { ...k, output: async () => (await k.output()).map((v, i) => (i === 5 ? v + 1e-3 : v)) };
      },
    };
    const r = await runCase(spec('dense', ODD_SHAPES[3]), broken, ctx);
    assert.equal(r.status, 'invalid');
    assert.equal(r.check!.ok, false);
    assert.equal(r.stats, undefined);
    assert.match(r.reason!, /float64 reference/);
  });

  it('skips cases over the weight limit with the numbers in the reason', async () => {
    const r = await runCase(spec('dense', { ...ODD_SHAPES[3], depth: 12 }), jsBackend, { ...ctx, maxWeightBytes: 2 ** 20 });
    assert.equal(r.status, 'skipped');
    assert.match(r.reason!, /MiB.*limit/);
  });
});

describe('faults inside a case', () => {
  it('a NaN output is a failed case, with the value and index in the reason', async () => {
    const nan: Backend = {
      ...jsBackend,
      async prepare(w, batch) {
        const k = await jsBackend.prepare(w, batch);
        return { ...k, output: async () => (await k.output()).map((v, i) => (i === 2 ? NaN : v)) };
      },
    };
    const r = await runCase(spec('fff', ODD_SHAPES[3]), nan, ctx);
    assert.equal(r.status, 'failed');
    assert.match(r.reason!, /returned NaN at output index 2/);
  });
  it('a case over the memory budget is skipped with the numbers', async () => {
    const r = await runCase(spec('dense', ODD_SHAPES[3]), jsBackend, { ...ctx, memoryBudgetBytes: 1000 });
    assert.equal(r.status, 'skipped');
    assert.match(r.reason!, /needs about \d+\.\d MiB \(weights .*\), over the memory budget of 0\.0 MiB/);
  });
  it('a case over the backend memory limit is skipped', async () => {
    const small: Backend = { ...jsBackend, maxMemoryBytes: { fff: 1024, dense: 1024 } };
    const r = await runCase(spec('dense', ODD_SHAPES[3]), small, ctx);
    assert.equal(r.status, 'skipped');
    assert.match(r.reason!, /over its memory limit/);
  });
});
