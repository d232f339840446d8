/**
 * Where the native backend's sources and build live, and the digest that ties a build to its
 * sources: shared by build.mjs (plain Node at install time, so JavaScript) and index.ts.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

/** The C sources and headers (this folder). */
export const SOURCE_DIR = dirname(fileURLToPath(import.meta.url));

/** The project root (src/backends/native → ../../..). */
export const ROOT = join(SOURCE_DIR, '..', '..', '..');

/** Where npm ci and npm run build:native put the addon, unless FFFBENCH_NATIVE_DIR names another folder. */
export const DEFAULT_BUILD_DIR = join(ROOT, 'build', 'native');

export const ADDON_FILE = 'fffbench.node';
export const BUILD_INFO_FILE = 'build.json';

/** The folder the backend loads from, and the build writes to: FFFBENCH_NATIVE_DIR, else build/native. */
export function buildDir(env = process.env) {
  const dir = env.FFFBENCH_NATIVE_DIR;
  return dir && dir.trim() !== '' ? dir : DEFAULT_BUILD_DIR;
}

/** The .c files compiled, in order, and every .c and .h file, which the digest covers. */
export function sourceFiles() {
  const all = readdirSync(SOURCE_DIR)
    .filter((f) => /\.[ch]$/.test(f))
    .sort();
  return { compiled: all.filter((f) => f.endsWith('.c')), all };
}

/** sha256 of every C source and header (name and content): a build of other sources is stale. */
export function sourceDigest() {
  const hash = createHash('sha256');
  for (const f of sourceFiles().all)
    hash
      .update(`${f}\0`)
      .update(readFileSync(join(SOURCE_DIR, f)))
      .update('\0');
  return hash.digest('hex');
}
