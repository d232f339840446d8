/**
 * The revisions `fffbench ab` measures, side by side: each a git worktree of its commit in a
 * temporary directory, removed afterwards; or this working tree itself, in place, uncommitted
 * changes and all (the head by default). A worktree whose package-lock.json is this checkout's
 * shares this checkout's node_modules (a symbolic link) and runs its own install-time build (its
 * postinstall: the native backend's addon, compiled from that revision's sources); any other gets
 * its own node_modules (npm ci, minutes, which runs that build too).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { PairedRevision } from '../src/compare/compare.ts';
import { UserError } from '../src/errors.ts';
import { ROOT } from './runtimes.ts';

/** The file whose first commit is the oldest revision that serves the round protocol (see oldestServingRevision). */
export const SERVE_MODULE = 'src/execute/serve.ts';

export interface Checkout {
  /** The revision's package root: its runners/, src/ and node_modules. */
  root: string;
  revision: PairedRevision;
  /** Removes the worktree (nothing for the working tree); safe to call twice. */
  remove(): void;
}

/** Runs git in this checkout; its stderr becomes the error's message. */
export function git(args: string[], cwd = ROOT): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`git ${args.join(' ')}: ${(e.stderr || e.message).trim()}`);
  }
}

function tryGit(args: string[]): string | undefined {
  try {
    return git(args);
  } catch {
    return undefined;
  }
}

/** The commit a revision names (a branch, a tag, HEAD~3, a hash); a full hash missing from a shallow clone is fetched from origin. */
export function resolveCommit(revision: string, flag: string, log: (line: string) => void): string {
  if (tryGit(['rev-parse', '--is-inside-work-tree']) !== 'true')
    throw new UserError(`${flag}: ${ROOT} is not a git checkout; fffbench ab measures git revisions`);
  const lookup = () => tryGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`]);
  let commit = lookup();
  if (!commit && /^[0-9a-f]{40}$/.test(revision) && tryGit(['remote', 'get-url', 'origin'])) {
    log(`${flag}: commit ${revision.slice(0, 8)} is not in this clone; fetching it from origin`);
    tryGit(['fetch', '--quiet', '--no-tags', '--depth', '1', 'origin', revision]);
    commit = lookup();
  }
  if (!commit)
    throw new UserError(
      `${flag}: "${revision}" is not a commit of this repository (a branch, tag, hash or expression such as HEAD~1; fetch it first if it lives on a remote)`,
    );
  return commit;
}

/** This working tree, measured in place. */
export function workingTreeCheckout(): Checkout {
  const commit = git(['rev-parse', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
  return { root: ROOT, revision: { revision: 'working tree', commit, ...(dirty ? { dirty } : {}) }, remove() {} };
}

/**
 * A worktree of `commit` in a temporary directory, with its dependencies: this checkout's
 * node_modules where the lockfiles match, else its own `npm ci` (its output on stderr).
 */
export function worktreeCheckout(revision: string, commit: string, side: string, log: (line: string) => void): Checkout {
  const parent = mkdtempSync(join(tmpdir(), `fffbench-ab-${side}-`));
  const path = join(parent, 'checkout');
  git(['worktree', 'add', '--detach', '--quiet', path, commit]);
  // the package may sit below the repository's top level
  const root = join(path, relative(git(['rev-parse', '--show-toplevel']), realpathSync(ROOT)));
  const modules = join(root, 'node_modules');
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    // the link first: removing the worktree must never reach through it into this checkout's node_modules
    if (existsSync(modules) && lstatSync(modules).isSymbolicLink()) unlinkSync(modules);
    tryGit(['worktree', 'remove', '--force', path]);
    rmSync(parent, { recursive: true, force: true });
    tryGit(['worktree', 'prune']);
  };
  try {
    const lock = (dir: string) => (existsSync(join(dir, 'package-lock.json')) ? readFileSync(join(dir, 'package-lock.json'), 'utf8') : undefined);
    if (lock(root) !== undefined && lock(root) === lock(ROOT) && existsSync(join(ROOT, 'node_modules'))) {
      symlinkSync(join(ROOT, 'node_modules'), modules, 'dir');
      // what npm ci would have built in that checkout: its own native addon from its own sources
      log(`${side} (${commit.slice(0, 8)}): building what npm ci builds at install (npm run postinstall)…`);
      const built = spawnSync('npm', ['run', '--if-present', 'postinstall'], { cwd: root, stdio: ['ignore', 2, 2] });
      if (built.status !== 0)
        throw new Error(
          `npm run postinstall in the ${side} worktree (${commit.slice(0, 8)}) failed${built.error ? `: ${built.error.message}` : ` with status ${built.status}`}`,
        );
    } else {
      log(`${side} (${commit.slice(0, 8)}): its package-lock.json differs from this checkout's; installing its dependencies (npm ci)…`);
      const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 2, 2] });
      if (npm.status !== 0)
        throw new Error(`npm ci in the ${side} worktree (${commit.slice(0, 8)}) failed${npm.error ? `: ${npm.error.message}` : ` with status ${npm.status}`}`);
    }
  } catch (err) {
    remove();
    throw err;
  }
  return { root, revision: { revision, commit }, remove };
}

/** The oldest commit of this repository that serves fffbench ab's round protocol, when the history here reaches it. */
export function oldestServingRevision(): string | undefined {
  const added = tryGit(['log', '--diff-filter=A', '--format=%h %s', '--', SERVE_MODULE]);
  return added ? added.split('\n').pop() : undefined;
}
