/** Helpers shared by the test files: run the CLI, run tiny suites, the odd shapes every backend must pass. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { backendModels, type Backend } from '../src/backends/types.ts';
import { checkOutput } from '../src/execute/check.ts';
import { caseId, type CaseSpec } from '../src/model/case.ts';
import { runCase } from '../src/execute/run-case.ts';
import { Rng } from '../src/model/rng.ts';
import { trainingWidth, type CaseShape, type ModelKind } from '../src/model/shape.ts';
import { initWeights } from '../src/model/weights.ts';
import type { ResultsFile } from '../src/results/schema.ts';
import { ROOT } from '../runners/runtimes.ts';

export { ROOT };

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'fffbench-test-'));
}

export function runCli(args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'runners', 'cli.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 300_000,
    env: { ...process.env, ...options.env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Shapes that catch edge cases: depth 0, leaf width 1, batch 1, odd dims, a batch past 256. */
export const ODD_SHAPES: Omit<CaseShape, 'trainingWidth'>[] = [
  { inputDim: 33, outputDim: 7, depth: 0, leafWidth: 1, batchSize: 1, activation: 'relu' },
  { inputDim: 33, outputDim: 7, depth: 3, leafWidth: 1, batchSize: 257, activation: 'relu' },
  { inputDim: 33, outputDim: 7, depth: 2, leafWidth: 5, batchSize: 3, activation: 'gelu' },
  { inputDim: 64, outputDim: 10, depth: 5, leafWidth: 4, batchSize: 33, activation: 'relu' },
  { inputDim: 17, outputDim: 1, depth: 1, leafWidth: 3, batchSize: 2, activation: 'gelu' },
];

/**
 * UltraFastBERT shapes (tree "ufb": dense widths 1, 3 and 63) that every backend with a ufb kernel
 * must pass: i = 33, o = 7, depth 0, 1 and 5, batch 1, 3 and 257, GELU and ReLU alternating.
 */
export const UFB_ODD_SHAPES: Omit<CaseShape, 'trainingWidth'>[] = [0, 1, 5].flatMap((depth, d) =>
  [1, 3, 257].map((batchSize, b) => ({
    inputDim: 33,
    outputDim: 7,
    depth,
    leafWidth: 1,
    batchSize,
    activation: (d + b) % 2 === 0 ? ('gelu' as const) : ('relu' as const),
    tree: 'ufb' as const,
  })),
);

/**
 * The UltraFastBERT odd shapes on `backend` (in process, after its init()): where its `models`
 * include 'ufb', the ufb and dense cases (dense where it has that kernel) of every UFB_ODD_SHAPES
 * shape check ok through runCase, and
 * each kernel matches the float64 reference on two successive batches (no state carried between
 * runs); where they do not, a ufb case is skipped with the reason. One line in a backend's test
 * file: `it('UltraFastBERT odd shapes', () => assertUfbOddShapes(backend))`.
 */
export async function assertUfbOddShapes(backend: Backend): Promise<void> {
  if (!backendModels(backend).includes('ufb')) {
    const r = await runCase(caseFor(backend.name, 'ufb', UFB_ODD_SHAPES[0]), backend, TEST_CASE_CONTEXT);
    assert.equal(r.status, 'skipped', r.id);
    assert.equal(r.reason, `${backend.name} has no ufb kernel (it runs ${backendModels(backend).join(' and ')})`);
    return;
  }
  for (const s of UFB_ODD_SHAPES) {
    for (const model of (['ufb', 'dense'] as const).filter((m) => backendModels(backend).includes(m))) {
      const spec = caseFor(backend.name, model, s);
      const r = await runCase(spec, backend, TEST_CASE_CONTEXT);
      assert.equal(r.status, 'ok', `${r.id}: ${r.reason}`);
      assert.equal(r.check?.ok, true, `${r.id}: ${r.check?.maxRelError}`);
      const weights = initWeights(model, spec.shape, 11);
      const kernel = await backend.prepare(weights, s.batchSize, { inputBatches: 2 });
      try {
        for (const seed of [1, 2]) {
          const input = new Rng(seed).fillUniform(new Float32Array(s.batchSize * s.inputDim), 1);
          await kernel.run(input);
          const output = (await kernel.output()).slice();
          const check = checkOutput(weights, input, output, s.batchSize);
          assert.ok(check.ok, `${spec.id}, batch seed ${seed}: max error ${check.maxRelError} against the float64 reference`);
          // an input batch the kernel offers in its own memory is read in place, to the same output
          const slot = kernel.inputs?.[seed - 1];
          if (!slot) continue;
          assert.equal(kernel.inputs!.length, 2, spec.id);
          slot.set(input);
          await kernel.run(slot);
          assert.deepEqual(await kernel.output(), output, `${spec.id}, batch seed ${seed}: the batch read in place gave another output than the copied one`);
        }
      } finally {
        await kernel.dispose();
      }
    }
  }
}

/**
 * A suite file covering `shapes`, with measurement settings small enough for tests. A UltraFastBERT
 * shape (tree "ufb") becomes a sweep of its tree and its dense layer; `models`, where given, are
 * the models of every sweep instead (a backend without a dense kernel).
 */
export function writeTinySuite(
  dir: string,
  opts: { runtimes: string[]; backends: string[]; shapes?: typeof ODD_SHAPES; name?: string; models?: ModelKind[] },
): string {
  const shapes = opts.shapes ?? ODD_SHAPES;
  const suite = {
    name: opts.name ?? 'tiny',
    runtimes: opts.runtimes,
    backends: opts.backends,
    sweeps: shapes.map((s) => (opts.models ? { ...s, models: opts.models } : s.tree === 'ufb' ? { ...s, models: ['ufb', 'dense'] } : { ...s })),
    measurement: { minTimeMs: 5, minSamples: 3, maxCaseTimeMs: 200, warmupSamples: 1, calibrate: false },
    seed: 7,
  };
  const file = join(dir, `${suite.name}.json`);
  writeFileSync(file, JSON.stringify(suite));
  return file;
}

/** Runs a tiny suite through the CLI and returns the parsed results file. */
export function runTinySuite(opts: Parameters<typeof writeTinySuite>[1] & { timeoutMs?: number; env?: NodeJS.ProcessEnv }): {
  file: ResultsFile;
  stdout: string;
  stderr: string;
  status: number | null;
} {
  const dir = tempDir();
  const suite = writeTinySuite(dir, opts);
  const out = join(dir, 'results.json');
  const r = runCli(['run', suite, '--out', out], { timeoutMs: opts.timeoutMs, env: opts.env });
  if (r.status !== 0) throw new Error(`fffbench run exited ${r.status}\n${r.stderr}\n${r.stdout}`);
  return { file: JSON.parse(readFileSync(out, 'utf8')) as ResultsFile, ...r };
}

/**
 * The UltraFastBERT odd shapes through the CLI on `backend` in node, deno and bun workers: every
 * tree and dense case checks ok on a UltraFastBERT shape (its id ends in "-ufb", its dense layer
 * 2^(d+1) − 1 wide), and each pair makes a comparison. `treeOnly`: a backend without a dense kernel,
 * whose tree cases alone are run.
 */
export function assertUfbOddShapesInWorkers(backend: string, treeOnly = false): void {
  const runtimes = ['node', 'deno', 'bun'];
  const models: ModelKind[] = treeOnly ? ['ufb'] : ['ufb', 'dense'];
  const { file } = runTinySuite({ runtimes, backends: [backend], shapes: UFB_ODD_SHAPES, name: `${backend}-ufb`, timeoutMs: 240_000, models });
  assert.equal(file.results.length, UFB_ODD_SHAPES.length * models.length * runtimes.length);
  for (const r of file.results) {
    assert.equal(r.status, 'ok', `${r.id}: ${r.reason}`);
    assert.ok(r.check?.ok, `${r.id}: max error ${r.check?.maxRelError}`);
    assert.ok(r.id.endsWith('-ufb') && r.shape.trainingWidth === 2 ** (r.shape.depth + 1) - 1, r.id);
  }
  if (!treeOnly) assert.equal(file.comparisons.length, UFB_ODD_SHAPES.length * runtimes.length);
}

/** Default measurement context for in-process runCase calls in tests: tiny settings, generous limits. */
export const TEST_CASE_CONTEXT = {
  seed: 3,
  measurement: { minTimeMs: 1, minSamples: 3, maxSamples: 50, warmupSamples: 0, maxCaseTimeMs: 50 },
  maxWeightBytes: 2 ** 28,
  memoryBudgetBytes: 2 ** 32,
  runtimeVersion: process.versions.node,
};

/** The case of `backend` running `model` at `s` in node, as the orchestrator would build it. */
export function caseFor(backend: string, model: ModelKind, s: Omit<CaseShape, 'trainingWidth'>): CaseSpec {
  const shape = { ...s, trainingWidth: trainingWidth(s) };
  return { id: caseId('node', backend, model, shape), runtime: 'node', backend, model, shape };
}

/** Seeded random shapes up to the given sizes (inclusive), both activations. */
export function randomShapes(
  seed: number,
  count: number,
  max = { inputDim: 70, outputDim: 20, depth: 6, leafWidth: 9, batchSize: 40 },
): Omit<CaseShape, 'trainingWidth'>[] {
  const rng = new Rng(seed);
  const pick = (lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));
  return Array.from({ length: count }, () => ({
    inputDim: pick(1, max.inputDim),
    outputDim: pick(1, max.outputDim),
    depth: pick(0, max.depth),
    leafWidth: pick(1, max.leafWidth),
    batchSize: pick(1, max.batchSize),
    activation: rng.next() < 0.5 ? ('relu' as const) : ('gelu' as const),
  }));
}

/** Every random shape, FFF and dense, checks ok against the float64 reference on `backend` (in process). */
export async function assertRandomShapesPass(backend: Backend, shapes: Omit<CaseShape, 'trainingWidth'>[]): Promise<void> {
  for (const s of shapes) {
    for (const model of ['fff', 'dense'] as const) {
      const r = await runCase(caseFor(backend.name, model, s), backend, TEST_CASE_CONTEXT);
      assert.equal(r.status, 'ok', `${r.id}: ${r.reason}`);
      assert.equal(r.check?.ok, true, `${r.id}: ${r.check?.maxRelError}`);
    }
  }
}

/** Each result is ok with a passing check, or skipped with a specific reason. Returns the ok ones. */
export function okOrSkippedWithReason(results: ResultsFile['results']): ResultsFile['results'] {
  return results.filter((r) => {
    if (r.status === 'skipped') {
      assert.ok(r.reason && r.reason.length > 10, `${r.id}: skipped without a reason`);
      return false;
    }
    assert.equal(r.status, 'ok', `${r.id}: ${r.reason}`);
    assert.ok(r.check?.ok, `${r.id}: check failed`);
    return true;
  });
}
