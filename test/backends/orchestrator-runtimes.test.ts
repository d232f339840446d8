/**
 * `deno task bench` runs the orchestrator on Deno, `bun runners/cli.ts` on Bun: the job must be the
 * same, and a "node" case must still run on the pinned Node (Deno and Bun answer process.execPath
 * with their own binary, which once filed their times under node), a "node@22" case on Node 22.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ResultsFile } from '../../src/results/schema.ts';
import { pinnedNodeVersion, RUNTIME_COMMANDS } from '../../runners/runtimes.ts';
import { ROOT, tempDir, writeTinySuite } from '../support.ts';

const HOSTS = {
  deno: (args: string[]) => [RUNTIME_COMMANDS.deno.version[0], 'run', '-A', join(ROOT, 'runners', 'cli.ts'), ...args],
  bun: (args: string[]) => [RUNTIME_COMMANDS.bun.version[0], join(ROOT, 'runners', 'cli.ts'), ...args],
};

for (const [host, argv] of Object.entries(HOSTS)) {
  test(`the orchestrator on ${host} runs node cases on the pinned Node, node@22 on Node 22, and each runtime on itself`, () => {
    const dir = tempDir();
    const suite = writeTinySuite(dir, {
      runtimes: ['node', 'node@22', 'deno', 'bun'],
      backends: ['js'],
      shapes: [{ inputDim: 9, outputDim: 4, depth: 2, leafWidth: 2, batchSize: 3, activation: 'relu' }],
    });
    const out = join(dir, 'results.json');
    const [command, ...args] = argv(['run', suite, '--out', out]);
    const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
    assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
    const file = JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;
    const versions = new Map(file.results.map((x) => [x.runtime.name, x.runtime.version]));
    assert.equal(versions.get('node'), pinnedNodeVersion('node'), 'the node worker ran on the pinned Node');
    assert.equal(versions.get('node@22'), pinnedNodeVersion('node@22'));
    assert.match(versions.get('node@22') ?? '', /^22\./);
    assert.match(versions.get('deno') ?? '', /^2\./);
    assert.match(versions.get('bun') ?? '', /^1\./);
    assert.ok(
      file.results.every((x) => x.status === 'ok'),
      file.results.map((x) => `${x.id}: ${x.reason}`).join('\n'),
    );
  });
}
