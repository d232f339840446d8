/**
 * Makes a throwaway revision with a planted slowdown, to check what `fffbench ab` catches with a
 * real code change (test/plant-slowdown.ts plants one in the numbers of a results file instead):
 *
 *   npx tsx test/plant-revision.ts slower --backend js --factor 1.1 [--model dense] [--from HEAD]
 *       every kernel of the backend (or of one model) runs a busy loop after each call for
 *       `factor` − 1 times the call's own duration: that slowdown, whatever the shape, plus the
 *       wrapper's own few tens of nanoseconds per call (which only a sub-microsecond call feels:
 *       wasm's batch-1 FFF in ab-pr came out some 17-21% slower under a 10% plant, under load)
 *   npx tsx test/plant-revision.ts js-dense-chunk [--chunk 4] [--from HEAD]
 *       the js dense kernel processes its hidden layer in chunks of 4 units instead of 128: a real
 *       kernel edit, its output unchanged, its speed much lower
 *
 * The change is committed in a temporary worktree of --from (default HEAD) and the worktree is
 * removed; the commit's hash is printed on stdout (no branch or tag points at it), for example:
 *   npx fffbench ab --base HEAD --head "$(npx tsx test/plant-revision.ts slower --backend js --factor 1.1)"
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKEND_NAMES } from '../src/backends/registry.ts';
import { ROOT } from '../runners/runtimes.ts';

const git = (args: string[], cwd = ROOT) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** Replaces `anchor` in a file of the checkout at `root`, once; an anchor that moved is an error, not a silent no-op. */
function patch(root: string, path: string, anchor: string, replacement: string): void {
  const file = join(root, path);
  const text = readFileSync(file, 'utf8');
  if (text.split(anchor).length !== 2) throw new Error(`${path}: expected "${anchor}" exactly once; the planted change no longer applies to this revision`);
  writeFileSync(file, text.replace(anchor, replacement));
}

export interface Plant {
  /** The commit message's subject. */
  subject: string;
  apply(root: string): void;
}

export function slowerPlant(backend: string, factor: number, model?: string): Plant {
  if (!BACKEND_NAMES.includes(backend)) throw new Error(`--backend: unknown "${backend}" (known: ${BACKEND_NAMES.join(', ')})`);
  if (!(factor > 1)) throw new Error(`--factor: expected a number above 1 (given: ${factor})`);
  if (model !== undefined && !['fff', 'dense', 'ufb'].includes(model)) throw new Error(`--model: expected fff, dense or ufb (given: ${model})`);
  const what = `${backend}${model ? ` ${model}` : ''} kernels`;
  return {
    subject: `planted: the ${what} run ${((factor - 1) * 100).toFixed(0)}% slower (a throwaway revision for checking fffbench ab)`,
    apply(root) {
      patch(
        root,
        'src/backends/registry.ts',
        '  return load();\n}',
        `  return planted(await load());
}

/*
 * Planted by test/plant-revision.ts: the ${what} run ${factor} times as long. After each call a busy
 * loop runs for ${factor} − 1 times the call's own duration. That duration is timed on every 16th
 * call only (the least of the last 8 timings: a busy machine only adds), and the loop is counted in
 * iterations, not clock reads, so that a call of a microsecond is slowed as exactly as a long one.
 */
const PLANTED_FACTOR = ${factor};
let plantedSink = 0;
function plantedSpin(loops: number): void {
  let x = 0;
  for (let k = 0; k < loops; k++) x = (x + k) | 0;
  plantedSink ^= x;
}
let plantedRate = 0;
/** Iterations of plantedSpin per ms: the fastest of 40 trials of a millisecond (a busy machine only slows a trial). */
function plantedLoopsPerMs(): number {
  if (plantedRate > 0) return plantedRate;
  for (let trial = 0; trial < 40; trial++) {
    const t0 = performance.now();
    let loops = 0;
    while (performance.now() - t0 < 1) {
      plantedSpin(20_000);
      loops += 20_000;
    }
    plantedRate = Math.max(plantedRate, loops / (performance.now() - t0));
  }
  return plantedRate;
}
function planted(backend: Backend): Backend {
  if (backend.name !== ${JSON.stringify(backend)}) return backend;
  const prepare = backend.prepare.bind(backend);
  backend.prepare = async (weights, batch, options) => {
    const kernel = await prepare(weights, batch, options);
    if (${JSON.stringify(model ?? null)} !== null && weights.kind !== ${JSON.stringify(model ?? null)}) return kernel;
    const rate = plantedLoopsPerMs();
    const run = kernel.run.bind(kernel);
    const timings: number[] = [];
    let calls = 0;
    let loops = 0;
    const after = (t0: number | undefined) => {
      if (t0 !== undefined) {
        timings.push(performance.now() - t0);
        if (timings.length > 8) timings.shift();
        loops = Math.round(Math.min(...timings) * (PLANTED_FACTOR - 1) * rate);
      }
      plantedSpin(loops);
    };
    kernel.run = (input) => {
      const t0 = calls++ % 16 === 0 ? performance.now() : undefined;
      const pending = run(input);
      if (pending instanceof Promise) return pending.then(() => after(t0));
      after(t0);
    };
    return kernel;
  };
  return backend;
}`,
      );
    },
  };
}

export function jsDenseChunkPlant(chunk: number): Plant {
  if (!(Number.isInteger(chunk) && chunk >= 1)) throw new Error(`--chunk: expected a whole number ≥ 1 (given: ${chunk})`);
  return {
    subject: `planted: the js dense kernel's hidden layer in chunks of ${chunk} units, not 128 (a throwaway revision for checking fffbench ab)`,
    apply: (root) => patch(root, 'src/backends/js/index.ts', 'const HIDDEN_CHUNK = 128;', `const HIDDEN_CHUNK = ${chunk};`),
  };
}

/** Commits `plant` on top of `from` in a temporary worktree and returns the commit's hash. */
export function plantRevision(plant: Plant, from = 'HEAD'): string {
  const base = git(['rev-parse', '--verify', `${from}^{commit}`]);
  const parent = mkdtempSync(join(tmpdir(), 'fffbench-plant-'));
  const path = join(parent, 'checkout');
  git(['worktree', 'add', '--detach', '--quiet', path, base]);
  try {
    plant.apply(path);
    git(
      [
        '-c',
        'user.name=fffbench plant',
        '-c',
        'user.email=fffbench@users.noreply.github.com',
        'commit',
        '--quiet',
        '--all',
        '--no-verify',
        '-m',
        plant.subject,
      ],
      path,
    );
    return git(['rev-parse', 'HEAD'], path);
  } finally {
    git(['worktree', 'remove', '--force', path]);
    rmSync(parent, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const { values, positionals } = parseArgs({
    options: { backend: { type: 'string' }, factor: { type: 'string' }, model: { type: 'string' }, chunk: { type: 'string' }, from: { type: 'string' } },
    allowPositionals: true,
  });
  const kind = positionals[0];
  const plant =
    kind === 'slower'
      ? slowerPlant(values.backend ?? 'js', Number(values.factor ?? '1.1'), values.model)
      : kind === 'js-dense-chunk'
        ? jsDenseChunkPlant(Number(values.chunk ?? '4'))
        : undefined;
  if (!plant) {
    console.error(
      'usage: plant-revision.ts slower --backend NAME --factor 1.1 [--model fff|dense|ufb] [--from REV]\n       plant-revision.ts js-dense-chunk [--chunk 4] [--from REV]',
    );
    process.exit(2);
  }
  const commit = plantRevision(plant, values.from);
  console.error(`${commit.slice(0, 8)}: ${plant.subject}`);
  console.log(commit);
}
