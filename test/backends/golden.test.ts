import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { goldenFile } from '../fixtures/golden-digest.ts';
import { ROOT } from '../support.ts';

type Golden = ReturnType<typeof goldenFile>;
const goldenAll = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'golden.json'), 'utf8')) as Golden;

/** float64 outputs may differ in the last ulp where engines' Math.exp/erf differ */
function assertOutputsClose(actual: number[], want: number[], what: string) {
  assert.equal(actual.length, want.length, what);
  actual.forEach((v, j) => {
    assert.ok(Math.abs(v - want[j]) <= 1e-14 * Math.max(1, Math.abs(want[j])), `${what} ${j}: ${v} vs ${want[j]}`);
  });
}

function assertMatches(all: Golden, where: string) {
  const [actual, golden] = [all.digest, goldenAll.digest];
  assert.equal(actual.length, golden.length);
  actual.forEach((d, k) => {
    const g = golden[k];
    assert.deepEqual(d.shape, g.shape);
    // weights must be bit-identical: one seed, one set of weights, in every runtime
    assert.equal(d.fffWeights, g.fffWeights, `${where}: FFF weights of shape ${k}`);
    assert.equal(d.denseWeights, g.denseWeights, `${where}: dense weights of shape ${k}`);
    assert.deepEqual(d.fffLeaves, g.fffLeaves, `${where}: leaves of shape ${k}`);
    assertOutputsClose(d.fffOutput, g.fffOutput, `${where}: shape ${k} FFF output`);
    assertOutputsClose(d.denseOutput, g.denseOutput, `${where}: shape ${k} dense output`);
  });
  // UltraFastBERT's tree and its zero-bias dense baseline: the same seed, the same weights everywhere
  assert.equal(all.ufbDigest.length, goldenAll.ufbDigest.length);
  all.ufbDigest.forEach((d, k) => {
    const g = goldenAll.ufbDigest[k];
    assert.deepEqual(d.shape, g.shape);
    assert.equal(d.ufbWeights, g.ufbWeights, `${where}: UltraFastBERT weights of shape ${k}`);
    assert.equal(d.denseWeights, g.denseWeights, `${where}: UltraFastBERT dense weights of shape ${k}`);
    assert.deepEqual(d.ufbPaths, g.ufbPaths, `${where}: UltraFastBERT paths of shape ${k}`);
    assertOutputsClose(d.ufbOutput, g.ufbOutput, `${where}: UltraFastBERT shape ${k} output`);
    assertOutputsClose(d.denseOutput, g.denseOutput, `${where}: UltraFastBERT shape ${k} dense output`);
  });
}

describe('golden vectors (fixtures/golden.json)', () => {
  it('node reproduces the seeded weights and reference outputs', () => assertMatches(goldenFile(), 'node'));
  for (const [runtime, argv] of [
    ['deno', ['run', '-A']],
    ['bun', []],
  ] as const) {
    it(`${runtime} reproduces them too`, () => {
      const r = spawnSync(join(ROOT, 'node_modules', '.bin', runtime), [...argv, join(ROOT, 'test', 'fixtures', 'golden-digest.ts')], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(r.status, 0, r.stderr);
      assertMatches(JSON.parse(r.stdout) as Golden, runtime);
    });
  }
});
