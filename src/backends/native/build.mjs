/**
 * Builds the native backend's addon (build/native/fffbench.node, the folder FFFBENCH_NATIVE_DIR names
 * otherwise) with the machine's C compiler: `cc`, or $CC. Run by `npm ci` (package.json's
 * postinstall) and by `npm run build:native`; plain Node, no dependency but npm's node-api-headers
 * (the Node-API headers: nothing is downloaded).
 *
 * Flags: -std=c11 -O3 -march=native (the build is for the machine that benchmarks; -mcpu=native on
 * arm64; FFFBENCH_NATIVE_MARCH=<cpu> compiles for another, as the tests do for the other vector
 * paths) -ffp-contract=off (multiply-adds are the kernels' explicit FMAs, nothing else is fused)
 * -fPIC -shared -pthread. build.json beside the addon records the compiler, its version, the flags,
 * the vector ISA the addon reports and the digest of the sources it was built from.
 *
 * Never fails the install: without a compiler, or when the compiler fails, it prints why, removes any
 * earlier addon, writes the reason into build.json (the backend's init() reports it, in `fffbench
 * list` and in every skipped case) and exits 0.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { ADDON_FILE, BUILD_INFO_FILE, buildDir, ROOT, SOURCE_DIR, sourceDigest, sourceFiles } from './sources.mjs';

const require = createRequire(import.meta.url);

/** The compiler's flags for `march` (undefined: this machine's own CPU). */
export function compileFlags(march = process.env.FFFBENCH_NATIVE_MARCH || undefined, platform = process.platform, arch = process.arch) {
  const cpu = march ? `-march=${march}` : arch === 'arm64' ? '-mcpu=native' : '-march=native';
  const flags = ['-std=c11', '-O3', cpu, '-ffp-contract=off', '-fPIC', '-shared', '-pthread', '-fvisibility=hidden', '-Wall', '-Wextra'];
  // Node-API's functions come from the process that loads the addon (node, deno or bun)
  if (platform === 'darwin') flags.push('-undefined', 'dynamic_lookup');
  return flags;
}

/** Builds the addon into `dir`; returns what build.json records. */
export function build(dir = buildDir(), env = process.env) {
  const cc = env.CC && env.CC.trim() !== '' ? env.CC.trim() : 'cc';
  const flags = compileFlags(env.FFFBENCH_NATIVE_MARCH || undefined);
  const fail = (reason, extra = {}) => ({ ok: false, reason, compiler: cc, flags, ...extra });
  if (process.platform === 'win32') return fail('the native backend builds with a POSIX C compiler (cc) and POSIX threads; Windows is not supported');
  const version = spawnSync(cc, ['--version'], { encoding: 'utf8', env });
  if (version.error) {
    const missing = version.error.code === 'ENOENT';
    return fail(
      missing
        ? `no C compiler: "${cc}" was not found on PATH (install one, e.g. gcc or clang, or set CC to one; then run npm run build:native)`
        : `the C compiler "${cc}" did not run: ${version.error.message} (set CC to a working C compiler; then run npm run build:native)`,
    );
  }
  if (version.status !== 0)
    return fail(
      `"${cc} --version" exited ${version.status}: ${(version.stderr || version.stdout).trim().split('\n')[0]} (set CC to a working C compiler; then run npm run build:native)`,
    );
  const compilerVersion = version.stdout.trim().split('\n')[0];
  let include;
  try {
    include = require('node-api-headers').include_dir;
  } catch (err) {
    return fail(`npm's node-api-headers package (the Node-API headers) is missing: ${err.message} (run npm ci)`, { compilerVersion });
  }
  mkdirSync(dir, { recursive: true });
  const out = join(dir, ADDON_FILE);
  const temporary = `${out}.${process.pid}.tmp`;
  const args = [...flags, `-I${include}`, ...sourceFiles().compiled.map((f) => join(SOURCE_DIR, f)), '-o', temporary, '-lm'];
  const compiled = spawnSync(cc, args, { encoding: 'utf8', env, timeout: 300_000, maxBuffer: 64 * 2 ** 20 });
  if (compiled.error || compiled.status !== 0) {
    rmSync(temporary, { force: true });
    const said = `${compiled.stderr || ''}${compiled.stdout || ''}`.trim().split('\n').slice(0, 6).join('\n');
    return fail(`${cc} failed to compile the addon (${compiled.error ? compiled.error.message : `exit ${compiled.status}`}): ${said}`, { compilerVersion });
  }
  renameSync(temporary, out);
  let info;
  try {
    info = require(out).buildInfo();
  } catch (err) {
    return fail(`the compiled addon does not load: ${err.message}`, { compilerVersion });
  }
  return {
    ok: true,
    compiler: cc,
    compilerVersion,
    flags,
    isa: info.isa,
    vectorBits: info.vectorBits,
    compilerBuiltin: info.compiler,
    sourceDigest: sourceDigest(),
    node: process.version,
  };
}

function main() {
  const dir = buildDir();
  let result;
  try {
    result = build(dir);
  } catch (err) {
    result = { ok: false, reason: `the build script failed: ${err.message}` };
  }
  const where = relative(ROOT, dir).startsWith('..') ? dir : relative(ROOT, dir) || '.';
  try {
    if (!result.ok) rmSync(join(dir, ADDON_FILE), { force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, BUILD_INFO_FILE), `${JSON.stringify(result, null, 2)}\n`);
  } catch (err) {
    console.log(`native backend: cannot write ${join(where, BUILD_INFO_FILE)}: ${err.message}`);
  }
  if (result.ok) {
    console.log(`native backend: built ${join(where, ADDON_FILE)} for ${result.isa} with ${result.compilerVersion} (${result.flags.join(' ')})`);
  } else {
    console.log(`native backend not built: ${result.reason}`);
    console.log('The install goes on without it: the native backend reports this reason where it would run.');
  }
}

if (process.argv[1] && existsSync(process.argv[1]) && import.meta.url === pathToFileURL(process.argv[1]).href) main();
