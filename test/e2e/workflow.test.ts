import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { DEFAULT_RUNTIMES, RUNTIME_NAMES } from '../../src/model/runtimes.ts';
import { ROOT, runCli } from '../support.ts';

interface Step {
  run?: string;
  uses?: string;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, { steps: Step[]; strategy?: { matrix: Record<string, unknown[]> }; needs?: string }>;
}

const readWorkflow = (name: string) => parse(readFileSync(join(ROOT, '.github', 'workflows', name), 'utf8')) as Workflow;
const runLinesOf = (w: Workflow) => Object.values(w.jobs).flatMap((job) => job.steps.flatMap((s) => (s.run ? s.run.split('\n') : [])));
const workflow = readWorkflow('nightly.yml');
const runLines = runLinesOf(workflow);

/** The CLI calls among shell lines: `npx fffbench VERB …` (workflows) or `fffbench VERB …` (the .ci scripts' function). */
function invocationsOf(lines: string[]): { verb: string; line: string }[] {
  // a here-document (a script's usage text) is words, not calls
  let heredocEnd: string | undefined;
  const code = lines.filter((line) => {
    if (heredocEnd !== undefined) {
      if (line.trim() === heredocEnd) heredocEnd = undefined;
      return false;
    }
    heredocEnd = /<<-?\s*'?(\w+)'?/.exec(line)?.[1];
    return true;
  });
  return code
    .map((l) => l.trim())
    .filter((l) => !l.startsWith('#'))
    .flatMap((line) => {
      const m = /(?:^|[\s;(&|]|npx )fffbench (\w+)/.exec(line);
      return m ? [{ verb: m[1], line }] : [];
    });
}

/** Every fffbench call in `lines` names a verb the CLI has and only flags its --help lists; `verbs` are all used. */
function assertInvocationsExist(lines: string[], verbs: string[]): void {
  const invocations = invocationsOf(lines);
  for (const verb of verbs)
    assert.ok(
      invocations.some((i) => i.verb === verb),
      `uses fffbench ${verb}`,
    );
  for (const { verb, line } of invocations) {
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

/** The step of `job` that runs `script` (bash .ci/NAME), and that script's lines; the flags the step passes are ones its --help lists. */
function scriptStep(job: Workflow['jobs'][string], script: string): { step: Step & { if?: string }; lines: string[] } {
  const step = job.steps.find((s) => s.run?.includes(`bash ${script} `)) as Step & { if?: string };
  assert.ok(step, `the job runs bash ${script}`);
  const path = join(ROOT, script);
  const help = spawnSync('bash', [path, '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, `${script} --help`);
  for (const flag of step.run!.match(/--[a-z-]+/g) ?? []) assert.ok(help.stdout.includes(flag), `${script} accepts ${flag}`);
  return { step, lines: readFileSync(path, 'utf8').split('\n') };
}

describe('nightly workflow', () => {
  const job = workflow.jobs['merge-compare-report'] as Workflow['jobs'][string] & { permissions?: Record<string, string> };
  const { step, lines: scriptLines } = scriptStep(job, '.ci/nightly.sh');

  it('runs its merge job through .ci/nightly.sh (executed in test/e2e/ci-scripts.test.ts), keeping the history in a git data branch it may push to, and confirming regressions', () => {
    assert.ok(!job.steps.some((s) => s.uses?.startsWith('actions/cache')), 'no actions/cache: GitHub evicts it and a failed night never saves it');
    assert.equal(job.permissions?.contents, 'write', 'the job pushes the data branch');
    assert.match(step.run!, /bash \.ci\/nightly\.sh --suite "\$SUITE" --last \d+ .*--keep \d+ .*shards\/\*\.json$/);
    assert.doesNotMatch(step.run!, /--no-confirm/, 'regressions are confirmed by a re-run before they fail the night');
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact')) as Step & { if?: string; with: { path: string } };
    assert.match(upload.if ?? '', /always\(\)/, 'a failed night uploads its report too');
    assert.deepEqual(
      upload.with.path
        .trim()
        .split('\n')
        .map((p) => p.trim()),
      ['nightly.json', 'report', 'trend'],
    );
  });

  it('parses, runs on a schedule, and shards as a runtime × shard matrix', () => {
    assert.ok('schedule' in workflow.on);
    const bench = workflow.jobs.bench;
    const runtimes = bench.strategy!.matrix.runtime as string[];
    for (const r of DEFAULT_RUNTIMES) assert.ok(runtimes.includes(r), `${r}: each engine's pinned default`);
    assert.ok(
      runtimes.every((r) => (RUNTIME_NAMES as readonly string[]).includes(r)),
      `only runtimes of the one list: ${runtimes}`,
    );
    assert.ok(
      runtimes.some((r) => r.startsWith('node@')),
      'a second Node line beside the pinned one',
    );
    assert.ok(bench.strategy!.matrix.shard.length > 1);
    assert.equal(workflow.jobs['merge-compare-report'].needs, 'bench');
    assert.ok(bench.steps.some((s) => s.uses?.startsWith('actions/upload-artifact')));
  });

  it('calls only commands the project provides, with options they accept', () => {
    assertInvocationsExist(runLines, ['run']);
    assertInvocationsExist(scriptLines, ['merge', 'compare', 'report', 'history', 'ab']);
  });

  it("measures tonight's commit against last night's by ab, before tonight is filed in the history, failing the night on a regression", () => {
    const ab = scriptLines.findIndex((l) => /fffbench ab --base-history "\$history" "\$suite"/.test(l));
    const filing = scriptLines.findIndex((l) => /fffbench history "\$history" --add/.test(l));
    assert.ok(ab >= 0, 'an ab step');
    assert.ok(ab < filing, 'last night is still the latest run in the history when ab looks');
    assert.match(scriptLines[ab + 1], /abbed=\$\{PIPESTATUS\[0\]\}/, "ab's exit status, not tee's");
    assert.ok(
      scriptLines.some((l) => /\[ "\$abbed" -eq 0 \] \|\| exit "\$abbed"/.test(l)),
      'a regression ab found fails the job',
    );
    assert.doesNotMatch(step.run!, /--no-ab/, 'the workflow runs it');
  });
});

describe('pull-request workflow (ab)', () => {
  const pr = readWorkflow('pr-ab.yml');
  const lines = runLinesOf(pr);

  it('runs on pull requests, with the base branch fetched, and uploads the comparison', () => {
    assert.deepEqual(Object.keys(pr.on), ['pull_request']);
    const steps = pr.jobs.ab.steps as (Step & { with?: Record<string, unknown> })[];
    const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout'))!;
    assert.equal(checkout.with?.['fetch-depth'], 0, 'the base branch is there to check out as a worktree');
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
    assert.equal(upload.with?.path, 'ab.json');
  });

  it('measures the head against the base branch on the shipped PR suite, failing on a regression', () => {
    const script = lines.join('\n');
    assert.match(
      script,
      /set -o pipefail\n\s*npx fffbench ab --base "origin\/\$GITHUB_BASE_REF" ab-pr --format md --out ab\.json \| tee -a "\$GITHUB_STEP_SUMMARY"/,
    );
    assert.ok(existsSync(join(ROOT, 'suites', 'ab-pr.json')), 'the PR suite ships');
    assert.doesNotMatch(script, /--head/, 'the head is the checked-out merge commit, the working tree');
  });

  it('calls only commands the project provides, with options they accept', () => {
    assertInvocationsExist(lines, ['ab']);
  });

  it('measures the pinned runtimes npm ci installs: no job pins the Node it sets up to an old line', () => {
    for (const w of [workflow, readWorkflow('hardware.yml')]) {
      for (const job of Object.values(w.jobs)) {
        for (const step of job.steps as (Step & { with?: Record<string, unknown> })[]) {
          if (!step.uses?.startsWith('actions/setup-node')) continue;
          assert.equal(step.with?.['node-version'], 'lts/*', "setup-node only runs npm ci: the benchmark's node is the pinned package");
        }
        assert.ok(
          job.steps.some((s) => s.run === 'npm ci'),
          'npm ci installs the pinned runtimes',
        );
      }
    }
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
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, which the workflow holds as written
    assert.equal(bench.strategy!.matrix.runner, '${{ fromJSON(inputs.runners) }}');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: likewise
    assert.equal(bench['runs-on'], '${{ matrix.runner }}');
    assert.match(script, /npx fffbench run "\$SUITE" --runtimes "\$RUNTIMES" --out "results\/\$LABEL\.json"/);
    assert.ok(bench.steps.some((s) => s.uses?.startsWith('actions/upload-artifact')));
  });

  it('merges, reports and exports through .ci/hardware-report.sh (executed in test/e2e/ci-scripts.test.ts), and uploads report, csv and json', () => {
    const job = hardware.jobs['merge-report-export'];
    assert.equal(job.needs, 'bench');
    assert.ok(job.steps.some((s) => s.uses?.startsWith('actions/download-artifact')));
    assert.equal(scriptStep(job, '.ci/hardware-report.sh').step.run!.trim(), 'bash .ci/hardware-report.sh results/*.json');
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact')) as Step & { with: { path: string } };
    assert.deepEqual(
      upload.with.path
        .trim()
        .split('\n')
        .map((p) => p.trim())
        .sort(),
      ['hardware.csv', 'hardware.json', 'report'],
    );
  });

  it('calls only commands the project provides, with options they accept', () => {
    assertInvocationsExist(hardwareLines, ['run']);
    assertInvocationsExist(scriptStep(hardware.jobs['merge-report-export'], '.ci/hardware-report.sh').lines, ['merge', 'report', 'export']);
  });
});

describe('test workflow', () => {
  const tests = readWorkflow('test.yml');

  it('runs .ci/run (the optional packages, npm ci, the format and lint check, the type check, npm test) on every push and pull request', () => {
    assert.deepEqual(Object.keys(tests.on).sort(), ['pull_request', 'push']);
    const steps = Object.values(tests.jobs).flatMap((job) => job.steps);
    assert.ok(steps.some((s) => s.uses?.startsWith('actions/checkout')));
    assert.ok(steps.some((s) => s.run?.trim() === 'bash .ci/run'));
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
    const at = ['npm ci', 'npm run lint', 'npm run typecheck', 'npm test'].map((line) => ci.indexOf(`\n${line}`));
    assert.ok(
      at.every((k) => k >= 0),
      `.ci/run runs npm ci, lint, typecheck and test: ${at}`,
    );
    assert.deepEqual(
      [...at].sort((a, b) => a - b),
      at,
      'in that order',
    );
  });
});
