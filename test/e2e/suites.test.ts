import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_RUNTIMES } from '../../src/model/runtimes.ts';
import { expandCases, expandShapes } from '../../suites/expand.ts';
import { JSON_SCHEMA_URL, suiteJsonSchema } from '../../suites/json-schema.ts';
import { loadSuite, parseSuite, resolveSuitePath, shippedSuites, UserError } from '../../suites/load.ts';
import { claimModel, loadClaims, matchesClaim } from '../../src/claims/claims.ts';
import { runCli, tempDir } from '../support.ts';

const valid = () => ({
  name: 'ok-suite',
  sweeps: [{ inputDim: 8, outputDim: 3, leafWidth: [1, 2], depth: { from: 0, to: 2 }, batchSize: [1, 4] }],
});

function errorOf(input: unknown): string {
  try {
    parseSuite(input, 'my-suite.json');
  } catch (err) {
    assert.ok(err instanceof UserError);
    return err.message;
  }
  assert.fail('expected a validation error');
}

describe('shipped suites', () => {
  it('suite.schema.json is generated from the zod schema and up to date (npm run build:schema)', () => {
    assert.equal(readFileSync(JSON_SCHEMA_URL, 'utf8'), suiteJsonSchema());
    for (const name of shippedSuites()) assert.equal(JSON.parse(readFileSync(resolveSuitePath(name), 'utf8')).$schema, './suite.schema.json', name);
  });
  it('all validate and expand', () => {
    for (const name of ['batch-sweep', 'claims', 'paper-fig3', 'paper-table1', 'quick']) assert.ok(shippedSuites().includes(name), name);
    for (const name of shippedSuites()) {
      const { suite, file } = loadSuite(name);
      assert.ok(expandCases(suite, file).length > 0, name);
    }
  });
  it('paper-fig3 is the paper setup: i = o = 768, ℓ = 32, depth 1-15, batch 256', () => {
    const shapes = expandShapes(loadSuite('paper-fig3').suite);
    assert.deepEqual(
      shapes.map((s) => s.depth),
      Array.from({ length: 15 }, (_, k) => k + 1),
    );
    assert.ok(shapes.every((s) => s.inputDim === 768 && s.outputDim === 768 && s.leafWidth === 32 && s.batchSize === 256));
  });
  it('the default suite (claims) measures every configuration each claim is judged at, FFF and dense', () => {
    const { suite, file } = loadSuite('claims');
    const cases = expandCases(suite, file);
    for (const claim of loadClaims().claims) {
      assert.equal(claim.suite, 'claims', `${claim.id}: the default run must answer it`);
      for (let depth = claim.match.depth.from; depth <= claim.match.depth.to; depth++) {
        if (claim.id === 'fff-up-to-220x' && depth === 15) continue; // 6.4 GB per model: paper-fig3, not the default run
        for (const model of [claimModel(claim), 'dense'] as const) {
          assert.ok(
            cases.some((c) => c.model === model && matchesClaim(claim, c.shape) && c.shape.depth === depth),
            `${claim.id}: no ${model} case at depth ${depth}`,
          );
        }
      }
    }
  });
  it('no shipped suite measures a claim configuration without a competitive dense backend (a slow dense baseline inflates the speedup)', () => {
    // The dense kernels that run near a CPU's or GPU's best: multi-threaded MLAS, or a GPU.
    const competitive = new Set(['ort-node', 'ort-wasm-mt', 'webgpu', 'ort-webgpu']);
    for (const name of shippedSuites()) {
      const { suite, file } = loadSuite(name);
      const dense = expandCases(suite, file).filter((c) => c.model === 'dense');
      for (const claim of loadClaims().claims) {
        const matching = dense.filter((c) => matchesClaim(claim, c.shape));
        for (const depth of new Set(matching.map((c) => c.shape.depth))) {
          assert.ok(
            matching.some((c) => c.shape.depth === depth && competitive.has(c.backend)),
            `${name}: ${claim.id} at depth ${depth} has dense only on ${matching
              .filter((c) => c.shape.depth === depth)
              .map((c) => c.backend)
              .join(', ')}`,
          );
        }
      }
    }
  });
  it('shipped suites set no weight cap: only the machine and the backends limit a case', () => {
    for (const name of shippedSuites()) assert.equal(loadSuite(name).suite.limits.maxWeightBytes, undefined, name);
  });
  it("ultrafastbert runs the 78x claim on UltraFastBERT's model from batch 1 to 16384, and the ℓ = 1 FFF only as a labelled sweep of its own", () => {
    const { suite, file } = loadSuite('ultrafastbert');
    const cases = expandCases(suite, file);
    const ufb = cases.filter((c) => c.shape.tree === 'ufb');
    assert.deepEqual([...new Set(ufb.map((c) => c.shape.batchSize))], [1, 16, 256, 4096, 16384]);
    assert.ok(
      ufb.every(
        (c) => c.shape.depth === 11 && c.shape.trainingWidth === 4095 && c.shape.activation === 'gelu' && (c.model === 'ufb' || c.backend === 'ort-node'),
      ),
    );
    const claim = loadClaims().claims.find((c) => c.id === 'ultrafastbert-78x-cpu')!;
    assert.ok(ufb.some((c) => c.model === 'ufb' && matchesClaim(claim, c.shape)) && ufb.some((c) => c.model === 'dense' && matchesClaim(claim, c.shape)));
    const standIn = suite.sweeps.filter((s) => s.models?.includes('fff'));
    assert.equal(standIn.length, 1);
    assert.match(standIn[0].description!, /not the claim's model/);
    assert.ok(cases.filter((c) => c.model === 'fff').every((c) => !matchesClaim(claim, c.shape)));
  });
  it('paper-table1 covers training widths 16-128 for ℓ in 1, 2, 4, 8 at batch 2048', () => {
    const shapes = expandShapes(loadSuite('paper-table1').suite);
    assert.equal(shapes.length, 16);
    assert.deepEqual(
      [...new Set(shapes.map((s) => s.trainingWidth))].sort((a, b) => a - b),
      [16, 32, 64, 128],
    );
    assert.ok(shapes.every((s) => s.inputDim === 784 && s.outputDim === 10 && s.batchSize === 2048));
  });
});

describe('suite validation', () => {
  it('expands a cartesian product with defaults', () => {
    const suite = parseSuite(valid(), 'x.json');
    assert.deepEqual(suite.runtimes, ['node', 'deno', 'bun'], "each engine's pinned default, not every Node line");
    assert.equal(expandShapes(suite).length, 2 * 3 * 2);
    assert.equal(expandCases(suite).length, 12 * DEFAULT_RUNTIMES.length * 2);
    assert.equal(suite.measurement.minTimeMs, 300);
  });
  it('accepts trainingWidth instead of depth', () => {
    const shapes = expandShapes(
      parseSuite({ ...valid(), sweeps: [{ inputDim: 4, outputDim: 2, leafWidth: 2, trainingWidth: [2, 8], batchSize: 1 }] }, 'x.json'),
    );
    assert.deepEqual(
      shapes.map((s) => s.depth),
      [0, 2],
    );
  });
  it('names the file, the field path, the value and what is allowed', () => {
    const message = errorOf({ ...valid(), runtimes: ['node', 'dno'] });
    assert.match(message, /my-suite\.json: runtimes\[1\]/);
    assert.match(message, /expected one of "node", "node@24", "node@22", "deno", "bun"/);
    assert.match(message, /given: "dno"/);
    assert.match(
      errorOf({ ...valid(), sweeps: [{ ...valid().sweeps[0], batchSize: [4, 0] }] }),
      /sweeps\[0\]\.batchSize\[1\]: must be at least 1 \(given: 0\)/,
    );
    assert.match(errorOf({ ...valid(), sweeps: [{ ...valid().sweeps[0], depth: { from: 3, to: 1 } }] }), /sweeps\[0\]\.depth/);
    assert.match(errorOf({ ...valid(), colour: 'red' }), /my-suite\.json: colour: unknown field/);
    assert.match(errorOf({ ...valid(), sweeps: [] }), /sweeps: needs at least one sweep/);
    assert.match(errorOf({ ...valid(), backends: ['cuda'] }), /backends\[0\]/);
    assert.match(
      errorOf({ ...valid(), runtimes: ['node@26'] }),
      /runtimes\[0\].*"node@22".*given: "node@26"/s,
      'a Node line not installed is refused, naming the lines that are',
    );
    assert.match(errorOf({ name: 'x', sweeps: [{ inputDim: 4, outputDim: 2, leafWidth: 2, batchSize: 1 }] }), /exactly one of "depth" or "trainingWidth"/);
  });
  it('a sweep may name its own backends and models, and --backends replaces them all', () => {
    const suite = parseSuite(
      {
        ...valid(),
        backends: ['js'],
        sweeps: [valid().sweeps[0], { inputDim: 4, outputDim: 2, leafWidth: 2, depth: 9, batchSize: 1, models: ['fff'] }],
      },
      'x.json',
    );
    const cases = expandCases(suite, 'x.json');
    assert.equal(cases.filter((c) => c.shape.depth === 9).length, DEFAULT_RUNTIMES.length, 'fff only, one per runtime');
    assert.equal(cases.length, (12 * 2 + 1) * DEFAULT_RUNTIMES.length);
    assert.match(errorOf({ ...valid(), sweeps: [{ ...valid().sweeps[0], models: ['sparse'] }] }), /sweeps\[0\]\.models\[0\]/);
  });
  it('rejects a training width that is not leafWidth times a power of two', () => {
    const suite = parseSuite({ ...valid(), sweeps: [{ inputDim: 4, outputDim: 2, leafWidth: 3, trainingWidth: 16, batchSize: 1 }] }, 'x.json');
    assert.throws(() => expandShapes(suite, 'x.json'), /trainingWidth: 16 is not leafWidth 3 times a power of two/);
  });
});

describe('fffbench run with a broken suite', () => {
  it('exits 2 before running anything, naming the field', () => {
    const dir = tempDir();
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify({ ...valid(), sweeps: [{ ...valid().sweeps[0], leafWidth: -2 }] }));
    const r = runCli(['run', file, '--out', join(dir, 'out.json')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /broken\.json: sweeps\[0\]\.leafWidth: must be at least 1 \(given: -2\)/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
  });
  it('exits 2 on a file that is not JSON, and on an unknown backend flag', () => {
    const dir = tempDir();
    const file = join(dir, 'garbage.json');
    writeFileSync(file, '{ "name": ');
    const r = runCli(['run', file]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /garbage\.json: not valid JSON/);
    const flag = runCli(['run', 'quick', '--backends', 'js,cuda']);
    assert.equal(flag.status, 2);
    assert.match(flag.stderr, /--backends: unknown "cuda" \(allowed: /);
  });
});
