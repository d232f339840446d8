/**
 * The weak-baseline guard on a real run: the FFF paper's headline shape measured with the `js`
 * backend alone. Its dense GEMM runs at about 1% of what the run's calibration finds for this
 * machine (ort-node's), so the per-backend speedup is hundreds of x — and the verdict must say
 * "not judged", naming the backends to add, never "reproduced".
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { judgeClaims } from '../../src/claims/verdicts.ts';
import type { ResultsFile } from '../../src/results/schema.ts';
import { runCli, tempDir } from '../support.ts';

test('a js-only run of the 220x setup is never "reproduced": not judged, with the backends to add; the verdicts print first', () => {
  const dir = tempDir();
  const suite = join(dir, 'fig3-js.json');
  writeFileSync(
    suite,
    JSON.stringify({
      name: 'fig3-js',
      runtimes: ['node'],
      backends: ['js'],
      sweeps: [{ inputDim: 768, outputDim: 768, leafWidth: 32, depth: 8, batchSize: 256 }],
      measurement: { minTimeMs: 1, minSamples: 3, maxCaseTimeMs: 3000, warmupSamples: 0, calibrate: true },
    }),
  );
  const out = join(dir, 'results.json');
  const r = runCli(['run', suite, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const file = JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;
  const [fig3] = judgeClaims([file]);
  assert.equal(fig3.claim.id, 'fff-up-to-220x');
  assert.equal(fig3.status, 'not-judged', fig3.summary);
  assert.match(fig3.summary, /the dense baseline \(js, 1 thread\) ran at [\d.]+% of this machine's best dense GEMM throughput/);
  assert.ok(fig3.unjudged!.addBackends.length > 0, 'names the backends whose dense GEMM calibrated near the best');
  assert.match(fig3.summary, /--backends js,/);
  // The terminal shows the verdicts before anything else the run prints on stdout.
  assert.match(r.stdout.trimStart(), /^Do the papers’ speedups hold on this machine\?\n {2}⚠️ not judged — 220x/);
});
