/**
 * Makes a throwaway revision with a planted slowdown, to check what `fffbench ab` catches with a
 * real code change (test/plant-slowdown.ts plants one in the numbers of a results file instead):
 *
 *   npx tsx test/plant-revision.ts slower --backend js --factor 1.1 [--model dense] [--from HEAD]
 *       every kernel of the backend (or of one model) spins on the clock after each call for
 *       `factor` − 1 times that call's own duration: that slowdown, whatever the shape, plus the
 *       wrapper's own few tens of nanoseconds per call (which only a sub-microsecond call feels)
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
 * Planted by test/plant-revision.ts: the ${what} run ${factor} times as long. Each call is timed, and
 * after it the thread spins on the clock until ${factor} − 1 times that call's own duration has
 * passed: exactly that slowdown for every call and shape (the two clock reads cost some tens of
 * nanoseconds, which only a sub-microsecond call feels).
 */
const PLANTED_FACTOR = ${factor};
function planted(backend: Backend): Backend {
  if (backend.name !== ${JSON.stringify(backend)}) return backend;
  const prepare = backend.prepare.bind(backend);
  backend.prepare = async (weights, batch, options) => {
    const kernel = await prepare(weights, batch, options);
    if (${JSON.stringify(model ?? null)} !== null && weights.kind !== ${JSON.stringify(model ?? null)}) return kernel;
    const run = kernel.run.bind(kernel);
    const after = (t0: number) => {
      const t1 = performance.now();
      const until = t1 + (t1 - t0) * (PLANTED_FACTOR - 1);
      while (performance.now() < until);
    };
    kernel.run = (input) => {
      const t0 = performance.now();
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
