/** Helpers shared by the test files: run the CLI, run tiny suites, the odd shapes every backend must pass. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaseShape } from '../src/model/shape.ts';
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

/** A suite file covering `shapes`, with measurement settings small enough for tests. */
export function writeTinySuite(dir: string, opts: { runtimes: string[]; backends: string[]; shapes?: typeof ODD_SHAPES; name?: string }): string {
  const shapes = opts.shapes ?? ODD_SHAPES;
  const suite = {
    name: opts.name ?? 'tiny',
    runtimes: opts.runtimes,
    backends: opts.backends,
    sweeps: shapes.map((s) => ({ ...s })),
    measurement: { minTimeMs: 5, minSamples: 3, maxCaseTimeMs: 200, warmupSamples: 1, calibrate: false },
    seed: 7,
  };
  const file = join(dir, `${suite.name}.json`);
  writeFileSync(file, JSON.stringify(suite));
  return file;
}

/** Runs a tiny suite through the CLI and returns the parsed results file. */
export function runTinySuite(opts: Parameters<typeof writeTinySuite>[1] & { timeoutMs?: number }): { file: ResultsFile; stdout: string; stderr: string; status: number | null } {
  const dir = tempDir();
  const suite = writeTinySuite(dir, opts);
  const out = join(dir, 'results.json');
  const r = runCli(['run', suite, '--out', out], { timeoutMs: opts.timeoutMs });
  if (r.status !== 0) throw new Error(`fffbench run exited ${r.status}\n${r.stderr}\n${r.stdout}`);
  return { file: JSON.parse(readFileSync(out, 'utf8')) as ResultsFile, ...r };
}
