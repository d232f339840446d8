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
  it('keeps the history in a git data branch (not the evictable actions cache), filed and pruned every night, and confirms regressions', () => {
    const steps = workflow.jobs['merge-compare-report'].steps;
    assert.ok(!steps.some((s) => s.uses?.startsWith('actions/cache')), 'no actions/cache: GitHub evicts it and a failed night never saves it');
    const script = steps.map((s) => s.run ?? '').join('\n');
    assert.match(script, /git fetch --depth 1 origin fffbench-data/);
    assert.match(script, /git push origin HEAD:refs\/heads\/fffbench-data/);
    assert.match(script, /npx fffbench history history --add nightly\.json --prune --keep \d+/);
    assert.match(script, /npx fffbench compare --last \d+ --history history nightly\.json/);
    assert.doesNotMatch(script, /--no-confirm/, 'regressions are confirmed by a re-run before they fail the night');
    assert.match(script, /npx fffbench report --history history/);
    const filing = steps.find((s) => s.run?.includes('--prune')) as Step & { if?: string };
    assert.match(filing.if ?? '', /always\(\)/, 'a failed night is filed too');
  });

  it('parses, runs on a schedule, and shards as a runtime × shard matrix', () => {
    assert.ok('schedule' in workflow.on);
    const bench = workflow.jobs.bench;
    assert.deepEqual(bench.strategy!.matrix.runtime, ['node', 'deno', 'bun']);
    assert.ok(bench.strategy!.matrix.shard.length > 1);
    assert.equal(workflow.jobs['merge-compare-report'].needs, 'bench');
    assert.ok(bench.steps.some((s) => s.uses?.startsWith('actions/upload-artifact')));
  });

  it('calls only commands the project provides, with options they accept', () => {
    const invocations = runLines.map((l) => l.trim()).filter((l) => /\bnpx fffbench\b/.test(l));
    const verbs = invocations.map((l) => /npx fffbench (\w+)/.exec(l)![1]);
    for (const verb of ['run', 'merge', 'compare', 'report', 'history']) assert.ok(verbs.includes(verb), `workflow uses ${verb}`);
    for (const line of invocations) {
      const verb = /npx fffbench (\w+)/.exec(line)![1];
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
