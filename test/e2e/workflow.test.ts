import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { RUNTIME_NAMES } from '../../src/model/runtimes.ts';
import { ROOT, runCli } from '../support.ts';

interface Step { run?: string; uses?: string }
interface Workflow { on: Record<string, unknown>; jobs: Record<string, { steps: Step[]; strategy?: { matrix: Record<string, unknown[]> }; needs?: string }> }

const readWorkflow = (name: string) => parse(readFileSync(join(ROOT, '.github', 'workflows', name), 'utf8')) as Workflow;
const runLinesOf = (w: Workflow) => Object.values(w.jobs).flatMap((job) => job.steps.flatMap((s) => (s.run ? s.run.split('\n') : [])));
const workflow = readWorkflow('nightly.yml');
const runLines = runLinesOf(workflow);

/** Every `npx fffbench <verb>` line names a verb the CLI has and only flags its --help lists; `verbs` are all used. */
function assertInvocationsExist(lines: string[], verbs: string[]): void {
  const invocations = lines.map((l) => l.trim()).filter((l) => /\bnpx fffbench\b/.test(l));
  const used = invocations.map((l) => /npx fffbench (\w+)/.exec(l)![1]);
  for (const verb of verbs) assert.ok(used.includes(verb), `workflow uses ${verb}`);
  for (const line of invocations) {
    const verb = /npx fffbench (\w+)/.exec(line)![1];
    const help = runCli([verb, '--help']);
    assert.equal(help.status, 0, `fffbench ${verb} exists`);
    for (const flag of line.match(/--[a-z-]+/g) ?? []) assert.ok(help.stdout.includes(flag), `fffbench ${verb} accepts ${flag}`);
  }
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.ok(pkg.bin.fffbench, 'npx fffbench resolves to the package bin');
  for (const line of lines) {
    const script = /npm run ([\w:-]+)/.exec(line)?.[1];
    if (script) assert.ok(pkg.scripts[script], `npm run ${script} exists`);
  }
}

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
    assert.deepEqual(bench.strategy!.matrix.runtime, [...RUNTIME_NAMES], 'every runtime, from the one list');
    assert.ok(bench.strategy!.matrix.shard.length > 1);
    assert.equal(workflow.jobs['merge-compare-report'].needs, 'bench');
    assert.ok(bench.steps.some((s) => s.uses?.startsWith('actions/upload-artifact')));
  });

  it('calls only commands the project provides, with options they accept', () => {
    assertInvocationsExist(runLines, ['run', 'merge', 'compare', 'report', 'history']);
  });
});

describe('hardware comparison workflow', () => {
  const hardware = readWorkflow('hardware.yml');
  const hardwareLines = runLinesOf(hardware);
  const script = hardwareLines.join('\n');

  it('parses, and is dispatched by hand with the runner labels, the suite and the runtimes as inputs', () => {
    assert.deepEqual(Object.keys(hardware.on), ['workflow_dispatch']);
    const inputs = (hardware.on.workflow_dispatch as { inputs: Record<string, { default?: string; required?: boolean }> }).inputs;
    assert.deepEqual(Object.keys(inputs).sort(), ['runners', 'runtimes', 'suite']);
    const labels = JSON.parse(inputs.runners.default!) as unknown;
    assert.ok(Array.isArray(labels) && labels.length >= 2 && labels.every((l) => typeof l === 'string'), 'the runners default is a JSON list of labels');
    assert.equal(inputs.suite.default, 'claims');
    assert.ok(existsSync(join(ROOT, 'suites', `${inputs.suite.default}.json`)), 'the default suite ships');
    assert.equal(inputs.runtimes.default, 'node');
  });

  it('runs the suite as a matrix over the runner labels, each on its runner, and uploads each results file', () => {
    const bench = hardware.jobs.bench as (typeof hardware.jobs)[string] & { 'runs-on': string };
    assert.equal(bench.strategy!.matrix.runner, '${{ fromJSON(inputs.runners) }}');
    assert.equal(bench['runs-on'], '${{ matrix.runner }}');
    assert.match(script, /npx fffbench run "\$SUITE" --runtimes "\$RUNTIMES" --out "results\/\$LABEL\.json"/);
    assert.ok(bench.steps.some((s) => s.uses?.startsWith('actions/upload-artifact')));
  });

  it('merges the machines into a bundle, reports and exports into the job summary, and uploads report, csv and json', () => {
    const job = hardware.jobs['merge-report-export'];
    assert.equal(job.needs, 'bench');
    assert.ok(job.steps.some((s) => s.uses?.startsWith('actions/download-artifact')));
    assert.match(script, /npx fffbench merge results\/\*\.json -o hardware\.json --allow-machines/);
    assert.match(script, /npx fffbench report hardware\.json --out report\n\s*cat report\/summary\.md >> "\$GITHUB_STEP_SUMMARY"/);
    assert.match(script, /npx fffbench export hardware\.json --format csv --out hardware\.csv/);
    assert.match(script, /npx fffbench export hardware\.json --format md\n[\s\S]*\} >> "\$GITHUB_STEP_SUMMARY"/);
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact')) as Step & { with: { path: string } };
    assert.deepEqual(upload.with.path.trim().split('\n').map((p) => p.trim()).sort(), ['hardware.csv', 'hardware.json', 'report']);
  });

  it('calls only commands the project provides, with options they accept', () => {
    assertInvocationsExist(hardwareLines, ['run', 'merge', 'report', 'export']);
  });
});
