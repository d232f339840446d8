import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { goldenDigest } from './fixtures/golden-digest.ts';
import { ROOT } from './support.ts';

type Digest = ReturnType<typeof goldenDigest>;
const golden = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'golden.json'), 'utf8')).digest as Digest;

function assertMatches(actual: Digest, where: string) {
  assert.equal(actual.length, golden.length);
  actual.forEach((d, k) => {
    const g = golden[k];
    assert.deepEqual(d.shape, g.shape);
    // weights must be bit-identical: one seed, one set of weights, in every runtime
    assert.equal(d.fffWeights, g.fffWeights, `${where}: FFF weights of shape ${k}`);
    assert.equal(d.denseWeights, g.denseWeights, `${where}: dense weights of shape ${k}`);
    assert.deepEqual(d.fffLeaves, g.fffLeaves, `${where}: leaves of shape ${k}`);
    // float64 outputs may differ in the last ulp where engines' Math.exp/erf differ
    for (const [a, b] of [[d.fffOutput, g.fffOutput], [d.denseOutput, g.denseOutput]]) {
      a.forEach((v, j) => assert.ok(Math.abs(v - b[j]) <= 1e-14 * Math.max(1, Math.abs(b[j])), `${where}: shape ${k} output ${j}: ${v} vs ${b[j]}`));
    }
  });
}

describe('golden vectors (fixtures/golden.json)', () => {
  it('node reproduces the seeded weights and reference outputs', () => assertMatches(goldenDigest(), 'node'));
  for (const [runtime, argv] of [['deno', ['run', '-A']], ['bun', []]] as const) {
    it(`${runtime} reproduces them too`, () => {
      const r = spawnSync(join(ROOT, 'node_modules', '.bin', runtime), [...argv, join(ROOT, 'test', 'fixtures', 'golden-digest.ts')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      assertMatches(JSON.parse(r.stdout) as Digest, runtime);
    });
  }
});
