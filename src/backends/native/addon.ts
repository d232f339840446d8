/**
 * Loading the native addon (build.mjs builds it): one code path for node, deno and bun — the
 * module's own require (createRequire from node:module), which loads a Node-API `.node` in all
 * three (Deno with --allow-ffi, which its workers' -A grants). Before loading, build.json must say
 * the build succeeded, from the sources now in the tree.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import type { FffWeights, UfbWeights } from '../../model/weights.ts';
import { ADDON_FILE, BUILD_INFO_FILE, ROOT, sourceDigest } from './sources.mjs';

/** build.json (build.mjs). */
export type BuildRecord =
  | {
      ok: true;
      compiler: string;
      compilerVersion: string;
      flags: string[];
      isa: string;
      vectorBits: number;
      compilerBuiltin: string;
      sourceDigest: string;
      node: string;
    }
  | { ok: false; reason: string; compiler?: string; flags?: string[] };

/** What a prepared kernel decided (kernels.h: kernel_facts). */
export interface KernelFacts {
  threads: number;
  /** Levels walked in the first phase, before the batch is sorted by the node reached. */
  top: number;
  smallLeaves: boolean;
  /** Outputs written with non-temporal stores. */
  streamed: boolean;
  /** Bytes of the weights the kernel copied (small leaves' W1 transposed; the walk's rows where their array starts off a 64-byte boundary). */
  copiedBytes: number;
}

/** An opaque prepared kernel (a Node-API external). */
export type NativeHandle = { readonly __nativeKernel: unique symbol };

interface CommonParams {
  inputDim: number;
  outputDim: number;
  depth: number;
  batch: number;
  /** 0 relu, 1 gelu (simd.h) */
  activation: number;
  threads: number;
  spinMicros: number;
  /** Levels of the first phase; −1 lets the kernel choose (tests force others). */
  top: number;
  output: Float32Array;
}

export interface NativeAddon {
  buildInfo(): { isa: string; vectorBits: number; compiler: string; napiVersion: number };
  alignOffset(buffer: ArrayBuffer): number;
  /** The FFF's arrays as src/model/weights.ts lays them out. */
  prepareFff(params: CommonParams & { leafWidth: number } & Omit<FffWeights, 'kind' | 'shape'>): NativeHandle;
  prepareUfb(params: CommonParams & Omit<UfbWeights, 'kind' | 'shape'>): NativeHandle;
  run(kernel: NativeHandle, input: Float32Array): void;
  facts(kernel: NativeHandle): KernelFacts;
  dispose(kernel: NativeHandle): void;
}

export type LoadedAddon = { ok: true; addon: NativeAddon; build: Extract<BuildRecord, { ok: true }> } | { ok: false; reason: string };

const loaded = new Map<string, LoadedAddon>();

/** The addon built into `dir`, or why there is none to use. */
export function loadAddon(dir: string): LoadedAddon {
  const known = loaded.get(dir);
  if (known) return known;
  const result = tryLoad(dir);
  loaded.set(dir, result);
  return result;
}

function tryLoad(dir: string): LoadedAddon {
  const where = relative(ROOT, dir).startsWith('..') ? dir : relative(ROOT, dir) || dir;
  const rebuild = 'run npm run build:native';
  const infoPath = join(dir, BUILD_INFO_FILE);
  if (!existsSync(infoPath)) return { ok: false, reason: `not built: ${join(where, BUILD_INFO_FILE)} is missing (npm ci builds it; ${rebuild})` };
  let build: BuildRecord;
  try {
    build = JSON.parse(readFileSync(infoPath, 'utf8')) as BuildRecord;
  } catch (err) {
    return { ok: false, reason: `${join(where, BUILD_INFO_FILE)} is unreadable (${(err as Error).message}; ${rebuild})` };
  }
  if (!build.ok) return { ok: false, reason: `not built: ${build.reason}` };
  if (build.sourceDigest !== sourceDigest())
    return { ok: false, reason: `the addon in ${where} was built from other sources than src/backends/native/ now holds (${rebuild})` };
  try {
    const addon = createRequire(import.meta.url)(join(dir, ADDON_FILE)) as NativeAddon;
    return { ok: true, addon, build };
  } catch (err) {
    return { ok: false, reason: `${join(where, ADDON_FILE)} does not load: ${(err as Error).message} (${rebuild})` };
  }
}
