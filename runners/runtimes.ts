/**
 * How to start a worker in each runtime, and whether that runtime is installed.
 * Deno and Bun come from npm (node_modules/.bin); a binary on PATH is used otherwise.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuntimeName } from '../src/model/runtimes.ts';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** A runtime's worker entry in the checkout at `root` (this one by default; fffbench ab runs another revision's). */
export function workerEntry(runtime: RuntimeName, root = ROOT): string {
  return join(root, 'runners', `worker-${runtime}.ts`);
}

function localBin(name: string, root = ROOT): string {
  const local = join(root, 'node_modules', '.bin', name);
  return existsSync(local) ? local : name;
}

/**
 * The Node binary: this process's when the orchestrator runs on Node, else `node` on PATH. Deno and
 * Bun answer to process.execPath with their own binary, which would run the "node" worker on
 * themselves (deno task bench, bun runners/cli.ts).
 */
const NODE = 'Deno' in globalThis || 'Bun' in globalThis ? 'node' : process.execPath;

export interface RuntimeCommand {
  /** The worker entry (runners/worker-NAME.ts): the runtime-specific adapter around src/execute/worker.ts. */
  entry: string;
  /**
   * argv to run a worker on `jobFile`: the worker of the checkout at `root` (this one by default),
   * with that checkout's runtime binaries; it is started with `root` as its working directory.
   */
  worker(jobFile: string, root?: string): string[];
  /** argv that prints the version. */
  version: string[];
}

/** How to start each runtime's worker and ask its version. */
export const RUNTIME_COMMANDS: Record<RuntimeName, RuntimeCommand> = {
  node: {
    entry: workerEntry('node'),
    // --expose-gc lets mitata collect garbage between measurements instead of allocating 1 GiB
    worker: (job, root) => [NODE, '--expose-gc', '--import', 'tsx', workerEntry('node', root), job],
    version: [NODE, '--version'],
  },
  deno: {
    entry: workerEntry('deno'),
    // -A: backends read .wasm files, load native addons and read environment variables
    worker: (job, root) => [localBin('deno', root), 'run', '-A', '--v8-flags=--expose-gc', workerEntry('deno', root), job],
    version: [localBin('deno'), '--version'],
  },
  bun: {
    entry: workerEntry('bun'),
    worker: (job, root) => [localBin('bun', root), workerEntry('bun', root), job],
    version: [localBin('bun'), '--version'],
  },
};

export type RuntimeStatus = { ok: true; version: string } | { ok: false; reason: string };

const cache = new Map<RuntimeName, RuntimeStatus>();

/** Whether the runtime starts here, and its version (first version-like token it prints). */
export function runtimeStatus(name: RuntimeName): RuntimeStatus {
  const known = cache.get(name);
  if (known) return known;
  if (!existsSync(RUNTIME_COMMANDS[name].entry)) {
    const missing: RuntimeStatus = { ok: false, reason: `${name}'s worker entry ${RUNTIME_COMMANDS[name].entry} is missing (see README: Extending)` };
    cache.set(name, missing);
    return missing;
  }
  const [command, ...args] = RUNTIME_COMMANDS[name].version;
  const probe = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000, cwd: ROOT });
  let status: RuntimeStatus;
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? probe.error.message : (probe.stderr || `exit status ${probe.status}`).trim().split('\n')[0];
    status = { ok: false, reason: `${name} is not installed or does not start (${why}); run npm ci` };
  } else {
    status = { ok: true, version: probe.stdout.match(/\d+\.\d+\.\d+/)?.[0] ?? probe.stdout.trim() };
  }
  cache.set(name, status);
  return status;
}
