import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ROOT, runCli } from './support.ts';

interface Step { run?: string; uses?: string }
interface Workflow { on: Record<string, unknown>; jobs: Record<string, { steps: Step[]; strategy?: { matrix: Record<string, unknown[]> }; needs?: string }> }

const workflow = parse(readFileSync(join(ROOT, '.github', 'workflows', 'nightly.yml'), 'utf8')) as Workflow;
const runLines = Object.values(workflow.jobs).flatMap((job) => job.steps.flatMap((s) => (s.run ? s.run.split('\n') : [])));

describe('nightly workflow', () => {
  it('parses, runs on a schedule, and shards as a runtime × shard matrix', () => {
    assert.ok('schedule' in workflow.on);
    const bench = workflow.jobs.bench;
    assert.deepEqual(bench.strategy!.matrix.runtime, ['node', 'deno', 'bun']);
    assert.ok(bench.strategy!.matrix.shard.length > 1);
    assert.equal(workflow.jobs['merge-compare-report'].needs, 'bench');
    assert.ok(bench.steps.some((s) => s.uses?.startsWith('actions/upload-artifact')));
  });

  it('calls only commands the project provides, with options they accept', () => {
    const invocations = runLines.map((l) => l.trim()).filter((l) => /\bfffbench\b/.test(l));
    const verbs = invocations.map((l) => /fffbench (\w+)/.exec(l)![1]);
    for (const verb of ['run', 'merge', 'compare', 'report']) assert.ok(verbs.includes(verb), `workflow uses ${verb}`);
    for (const line of invocations) {
      const verb = /fffbench (\w+)/.exec(line)![1];
      const help = runCli([verb, '--help']);
      assert.equal(help.status, 0, `fffbench ${verb} exists`);
      for (const flag of line.match(/--[a-z-]+/g) ?? []) assert.ok(help.stdout.includes(flag), `fffbench ${verb} accepts ${flag}`);
    }
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.ok(pkg.bin.fffbench, 'npx fffbench resolves to the package bin');
    for (const line of runLines) {
      const script = /npm run ([\w:-]+)/.exec(line)?.[1];
      if (script) assert.ok(pkg.scripts[script], `npm run ${script} exists`);
    }
  });
});
