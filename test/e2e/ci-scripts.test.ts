/**
 * The workflows' merge jobs, executed: .ci/nightly.sh (nightly.yml) night after night against a
 * local bare repository standing in for `origin`, and .ci/hardware-report.sh (hardware.yml). The
 * nights are crafted results files (two shards each; test/crafted-results.ts), so compare runs
 * with --no-confirm: a confirming re-run would measure this machine, not the crafted numbers.
 *
 * The nights, in order: the first creates the data branch; the next three append — the second
 * and third race (the third's push is rejected because the second landed meanwhile, and it files
 * itself again on top), the fourth is gated against three nights and passes; the fifth carries a
 * planted slowdown, fails the job (exit 1) and is filed all the same; --prune --keep 4 then holds.
 * workflow.test.ts checks that the workflows call these scripts as tested here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { formatShape } from '../../src/text/format.ts';
import { caseKey } from '../../src/compare/compare.ts';
import { Rng } from '../../src/model/rng.ts';
import type { ResultsFile } from '../../src/results/schema.ts';
import { craftMachine, craftResults, rerun } from '../crafted-results.ts';
import { plantSlowdown } from '../plant-slowdown.ts';
import { ROOT, tempDir } from '../support.ts';

const NIGHTLY = join(ROOT, '.ci', 'nightly.sh');
const HARDWARE = join(ROOT, '.ci', 'hardware-report.sh');
const SUITE = 'nightly-test';
const BRANCH = 'fffbench-data';
const KEEP = 4;
const SHAPES = [
  { inputDim: 33, outputDim: 7, depth: 2, leafWidth: 5, batchSize: 3 },
  { inputDim: 64, outputDim: 10, depth: 5, leafWidth: 4, batchSize: 33 },
  { inputDim: 17, outputDim: 1, depth: 1, leafWidth: 3, batchSize: 2 },
  { inputDim: 40, outputDim: 7, depth: 3, leafWidth: 2, batchSize: 9 },
];

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Night `k` of one machine: a crafted run started on day k, with its samples shifted by seeded run-to-run noise. */
function night(k: number, base: ResultsFile, rng: Rng): ResultsFile {
  const at = (minute: number) => `2026-03-${String(k).padStart(2, '0')}T03:${String(17 + minute).padStart(2, '0')}:00.000Z`;
  return { ...rerun(base, rng, 0.01), startedAt: at(0), finishedAt: at(1) };
}

/** `file` as the matrix uploads it: two shards of disjoint cases. */
function writeShards(dir: string, file: ResultsFile): string[] {
  mkdirSync(dir, { recursive: true });
  const half = file.results.length / 2;
  return [file.results.slice(0, half), file.results.slice(half)].map((results, k) => {
    const path = join(dir, `node-${k + 1}.json`);
    writeFileSync(path, JSON.stringify({ ...file, suite: { ...file.suite, shard: `${k + 1}/2` }, results, comparisons: [], bestComparisons: [] }));
    return path;
  });
}

describe('.ci/nightly.sh against a local origin', () => {
  const dir = tempDir();
  const origin = `file://${join(dir, 'origin.git')}`;
  const base = craftResults(
    SHAPES.map((shape) => ({ shape, speedup: 2 })),
    { machine: craftMachine('nightly-machine'), suite: SUITE },
  );
  const rng = new Rng(20);
  const nights = [1, 2, 3, 4, 5].map((k) => night(k, base, rng));
  const planted = plantSlowdown(nights[4], 2, 1.5, 3);
  nights[4] = planted.file;

  /** A fresh clone, as the workflow's checkout, with night `k`'s shards in shards/. */
  function checkout(k: number, file = nights[k - 1]): { clone: string; shards: string[]; summary: string } {
    const clone = join(dir, `night-${k}`);
    git(dir, 'clone', '-q', origin, clone);
    return { clone, shards: writeShards(join(clone, 'shards'), file).map((p) => p.slice(clone.length + 1)), summary: join(dir, `summary-${k}.md`) };
  }
  // --no-confirm and --no-ab: these nights are crafted, so neither a confirming re-run nor ab (which
  // measures two commits of the project; test/e2e/ab.test.ts runs it, --base-history too) has code to time
  const args = (shards: string[]) => ['--suite', SUITE, '--last', '5', '--keep', String(KEEP), '--no-confirm', '--no-ab', ...shards];
  function runNight(night: ReturnType<typeof checkout>) {
    const r = spawnSync('bash', [NIGHTLY, ...args(night.shards)], {
      cwd: night.clone,
      encoding: 'utf8',
      env: { ...process.env, GITHUB_STEP_SUMMARY: night.summary },
      timeout: 240_000,
    });
    return { ...r, clone: night.clone, summary: existsSync(night.summary) ? readFileSync(night.summary, 'utf8') : '' };
  }
  /** The data branch as origin holds it: its files (path → parsed) and its commits. */
  function dataBranch(): { files: Map<string, ResultsFile>; commits: number } {
    const bare = join(dir, 'origin.git');
    const paths = git(bare, 'ls-tree', '-r', '--name-only', BRANCH).trim().split('\n').filter(Boolean);
    const files = new Map(paths.map((p) => [p, JSON.parse(git(bare, 'show', `${BRANCH}:${p}`)) as ResultsFile]));
    return { files, commits: Number(git(bare, 'rev-list', '--count', BRANCH).trim()) };
  }
  const startsOf = (files: Map<string, ResultsFile>) => [...files.values()].map((f) => f.startedAt).sort();
  const startsOfNights = (...k: number[]) => k.map((n) => nights[n - 1].startedAt);

  before(() => {
    // origin: a bare repository with the project's main branch (one commit), no data branch yet
    git(dir, 'init', '-q', '--bare', 'origin.git');
    const seed = join(dir, 'seed');
    git(dir, 'clone', '-q', origin, seed);
    writeFileSync(join(seed, 'README.md'), 'the project\n');
    git(seed, 'add', 'README.md');
    git(seed, 'commit', '-qm', 'the project');
    git(seed, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
  });

  it('the first night creates the data branch (an orphan: no project files) with its run, and draws no trend yet', () => {
    const r = runNight(checkout(1));
    assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
    assert.match(r.stderr, /no branch fffbench-data on origin: this is the first night/);
    const { files, commits } = dataBranch();
    assert.equal(commits, 1);
    assert.deepEqual(
      [...files.keys()].map((p) => p.split('/')[0]),
      ['nightly-machine'],
      'one run under the machine id, and nothing of main',
    );
    assert.equal([...files.values()][0].results.length, base.results.length, 'both shards merged');
    assert.ok(existsSync(join(r.clone, 'report', 'summary.md')) && existsSync(join(r.clone, 'nightly.json')));
    assert.match(r.summary, /^# fffbench report: nightly-test/);
    assert.match(r.summary, /no baseline for machine nightly-machine/);
    assert.ok(!existsSync(join(r.clone, 'trend')));
    assert.match(r.summary, /Trend: the first night of suite nightly-test on this machine/);
  });

  it('the next two nights race to push and both land: the later one, rejected, files itself again on top of the other', () => {
    const two = checkout(2);
    const three = checkout(3);
    // Night 3 has checked the branch out when night 2 pushes: the pre-push hook in night 3's
    // clone runs night 2 to the end just before night 3's first push.
    const marker = join(dir, 'night-2-ran');
    writeFileSync(
      join(three.clone, '.git', 'hooks', 'pre-push'),
      `#!/usr/bin/env bash
[ -e '${marker}' ] && exit 0
touch '${marker}'
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_PREFIX
cd '${two.clone}' && GITHUB_STEP_SUMMARY='${two.summary}' bash '${NIGHTLY}' ${args(two.shards).join(' ')} > '${dir}/night-2.out' 2>&1
echo $? > '${dir}/night-2.status'
`,
    );
    chmodSync(join(three.clone, '.git', 'hooks', 'pre-push'), 0o755);
    const r = runNight(three);
    assert.equal(readFileSync(join(dir, 'night-2.status'), 'utf8').trim(), '0', readFileSync(join(dir, 'night-2.out'), 'utf8'));
    assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
    assert.match(r.stderr, /push 1 of 5 rejected: fetching fffbench-data again/);
    assert.match(r.stderr, /filed in fffbench-data \(push attempt 2\)/);
    assert.match(r.summary, /Not gated: 1 baseline run/, 'night 3 compared with night 1 alone: night 2 landed after its checkout');
    assert.ok(existsSync(join(r.clone, 'trend', 'summary.md')), 'night 3 draws the trend');
    const { files, commits } = dataBranch();
    assert.equal(commits, 3, 'a commit per night, none lost');
    assert.deepEqual(startsOf(files), startsOfNights(1, 2, 3));
  });

  it('the fourth night appends too, gated against the three before it, and passes', () => {
    const r = runNight(checkout(4));
    assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
    assert.match(r.summary, /### fffbench compare: ✅ 0 regressions, 0 improvements, \d+ unchanged \(threshold 5\.0%, alpha 0\.01, 3 baseline runs/);
    const { files, commits } = dataBranch();
    assert.equal(commits, 4);
    assert.deepEqual(startsOf(files), startsOfNights(1, 2, 3, 4));
    assert.ok(
      [...files.values()].every((f) => !f.reduced),
      `--keep ${KEEP}: four nights, none reduced yet`,
    );
  });

  it('a night with a planted slowdown fails the job (exit 1) and is filed all the same', () => {
    const r = runNight(checkout(5));
    assert.equal(r.status, 1, `${r.stderr}\n${r.stdout}`);
    assert.match(r.summary, new RegExp(`### fffbench compare: 🔴 ${planted.planted.length} regressions?`));
    for (const key of planted.planted) {
      const victim = nights[4].results.find((x) => caseKey(x) === key)!;
      const row = r.summary.split('\n').find((l) => l.startsWith(`| node · js · ${victim.model} | ${formatShape(victim.shape)} |`));
      assert.match(row ?? '', /🔴 regression \|$/, `${key}: a regression row`);
    }
    const { files, commits } = dataBranch();
    assert.equal(commits, 5);
    assert.deepEqual(startsOf(files), startsOfNights(1, 2, 3, 4, 5), 'the failed night is in the history');
    assert.match(readFileSync(join(r.clone, 'trend', 'summary.md'), 'utf8'), /\S/);
  });

  it(`--prune --keep ${KEEP} holds: the last ${KEEP} nights in full, the older ones reduced to medians (no samples)`, () => {
    const byStart = [...dataBranch().files.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    assert.deepEqual(
      byStart.map((f) => Boolean(f.reduced)),
      [true, false, false, false, false],
    );
    for (const f of byStart.filter((x) => x.reduced)) assert.ok(f.results.every((r) => (r.stats?.samples.length ?? 0) === 0));
    for (const f of byStart.filter((x) => !x.reduced)) assert.ok(f.results.every((r) => (r.stats?.samples.length ?? 0) > 0));
  });

  it('a re-run of a night that is filed already (the job re-run) files nothing twice', () => {
    const r = runNight(checkout(6, nights[3]));
    assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
    assert.match(r.stderr, /this night is in fffbench-data already \(a re-run of the job\): nothing to file/);
    assert.equal(dataBranch().commits, 5);
  });

  it('refuses bad input with exit 2 before touching the branch', () => {
    const { clone, shards } = checkout(7, nights[3]);
    const run = (...a: string[]) => spawnSync('bash', [NIGHTLY, ...a], { cwd: clone, encoding: 'utf8' });
    assert.equal(run(...shards).status, 2, 'no --suite');
    assert.equal(run('--suite', SUITE).status, 2, 'no shards');
    assert.equal(run('--suite', SUITE, '--frobnicate', ...shards).status, 2);
    const missing = run('--suite', SUITE, 'shards/missing.json');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /merge failed: nothing to compare or file/);
    assert.equal(dataBranch().commits, 5);
  });
});

describe('.ci/hardware-report.sh', () => {
  it('merges two machines into a bundle, reports them side by side, and exports every case of both (CSV, and Markdown in the job summary)', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'results'));
    const files = ['machine-a', 'machine-b'].map((id) => {
      const path = join('results', `${id}.json`);
      writeFileSync(
        join(dir, path),
        JSON.stringify(
          craftResults(
            SHAPES.map((shape) => ({ shape, speedup: 2 })),
            { machine: craftMachine(id), suite: 'claims' },
          ),
        ),
      );
      return path;
    });
    const summary = join(dir, 'summary.md');
    const r = spawnSync('bash', [HARDWARE, ...files], { cwd: dir, encoding: 'utf8', env: { ...process.env, GITHUB_STEP_SUMMARY: summary } });
    assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
    const bundle = JSON.parse(readFileSync(join(dir, 'hardware.json'), 'utf8')) as { bundle: ResultsFile[] };
    assert.deepEqual(bundle.bundle.map((f) => f.machine.id).sort(), ['machine-a', 'machine-b']);
    const csv = readFileSync(join(dir, 'hardware.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, 1 + 2 * SHAPES.length * 2, 'a header and every case of both machines');
    assert.ok(existsSync(join(dir, 'report', 'index.html')));
    const text = readFileSync(summary, 'utf8');
    assert.match(text, /machine-a/);
    assert.match(text, /machine-b/);
    assert.match(text, /<details><summary>Every case on every machine \(export --format md\)<\/summary>\n\n\| machine_id \|/);
  });

  it('refuses two files of one machine id (their cases would appear twice) and no files at all, with exit 2', () => {
    const dir = tempDir();
    const file = craftResults(
      SHAPES.map((shape) => ({ shape, speedup: 2 })),
      { machine: craftMachine('same'), suite: 'claims' },
    );
    writeFileSync(join(dir, 'a.json'), JSON.stringify(file));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(file));
    const twice = spawnSync('bash', [HARDWARE, 'a.json', 'b.json'], { cwd: dir, encoding: 'utf8' });
    assert.equal(twice.status, 2);
    assert.match(twice.stderr, /in both a\.json and b\.json/);
    const none = spawnSync('bash', [HARDWARE], { cwd: dir, encoding: 'utf8' });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no results files given/);
  });
});
