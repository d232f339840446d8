/**
 * Where a revision keeps its worker entries: fffbench ab starts the worker of another revision's
 * checkout, which may predate runners/workers/ (its entries then are runners/worker-ENGINE.ts).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT, RUNTIME_COMMANDS, workerEntry } from '../../runners/runtimes.ts';

describe('workerEntry', () => {
  const dirs: string[] = [];
  const checkout = (files: string[]) => {
    const root = mkdtempSync(join(tmpdir(), 'fffbench-entry-'));
    dirs.push(root);
    for (const file of files) {
      mkdirSync(join(root, file, '..'), { recursive: true });
      writeFileSync(join(root, file), '');
    }
    return root;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("finds this checkout's entries in runners/workers/, one per engine", () => {
    assert.equal(workerEntry('node'), join(ROOT, 'runners', 'workers', 'node.ts'));
    assert.equal(workerEntry('node@22'), join(ROOT, 'runners', 'workers', 'node.ts'));
    assert.equal(workerEntry('deno'), join(ROOT, 'runners', 'workers', 'deno.ts'));
    assert.equal(workerEntry('bun'), join(ROOT, 'runners', 'workers', 'bun.ts'));
    assert.equal(RUNTIME_COMMANDS.bun.entry, join(ROOT, 'runners', 'workers', 'bun.ts'));
  });

  it("finds an older revision's entry where that revision has it (runners/worker-ENGINE.ts)", () => {
    const old = checkout(['runners/worker-node.ts', 'runners/worker-bun.ts']);
    assert.equal(workerEntry('node', old), join(old, 'runners', 'worker-node.ts'));
    assert.equal(workerEntry('bun', old), join(old, 'runners', 'worker-bun.ts'));
    assert.deepEqual(RUNTIME_COMMANDS.node.worker('job.json', old).slice(-2), [join(old, 'runners', 'worker-node.ts'), 'job.json'], 'the command ab starts');
    assert.deepEqual(RUNTIME_COMMANDS.bun.worker('job.json', old).slice(-2), [join(old, 'runners', 'worker-bun.ts'), 'job.json']);
  });

  it('takes the newer layout where a checkout has both, and names it where a checkout has neither', () => {
    const both = checkout(['runners/worker-deno.ts', 'runners/workers/deno.ts']);
    assert.equal(workerEntry('deno', both), join(both, 'runners', 'workers', 'deno.ts'));
    const none = checkout(['runners/cli.ts']);
    assert.equal(workerEntry('deno', none), join(none, 'runners', 'workers', 'deno.ts'));
  });
});
