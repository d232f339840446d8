/**
 * Which build of the kernels a wasm backend runs: the relaxed-SIMD one (relaxed.ts: fused
 * multiply-adds where the CPU has them) where the engine validates it, the plain SIMD128 one
 * elsewhere (Node 20 without --experimental-wasm-relaxed-simd; V8 ships it from Node 22, and Bun
 * 1.4's JavaScriptCore validates it too).
 * FFFBENCH_WASM_SIMD=plain forces the plain build (the same runtime timed both ways),
 * FFFBENCH_WASM_SIMD=relaxed refuses to fall back.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { kernelsUrl } from './kernel-files.ts';

export const SIMD_VARIANTS = ['relaxed', 'plain'] as const;
export type SimdVariant = (typeof SIMD_VARIANTS)[number];

/** The setting's name, and what it may be set to ("auto" or unset: relaxed where it validates). */
export const SIMD_SETTING = 'FFFBENCH_WASM_SIMD';

/** How each build is described in BackendInfo (the report's "Where and how it ran"). */
export const VARIANT_TEXT: Record<SimdVariant, string> = {
  relaxed: 'relaxed SIMD (f32x4.relaxed_madd: a fused multiply-add where the CPU has one; the engine validated it)',
  plain: 'SIMD128 (f32x4.mul then f32x4.add, no FMA)',
};

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};

export type VariantChoice = { ok: true; variant: SimdVariant; bytes: Uint8Array<ArrayBuffer>; why: string } | { ok: false; reason: string };

/**
 * The build to run: `setting` (FFFBENCH_WASM_SIMD by default) forces one, else the relaxed build
 * where WebAssembly.validate accepts it, the plain one where it does not.
 */
export function chooseVariant(
  shared: boolean,
  setting: string | undefined = env[SIMD_SETTING],
  validate: (bytes: Uint8Array<ArrayBuffer>) => boolean = (bytes) => WebAssembly.validate(bytes),
): VariantChoice {
  const wanted = (setting ?? '').trim() || 'auto';
  if (wanted !== 'auto' && !(SIMD_VARIANTS as readonly string[]).includes(wanted)) {
    return { ok: false, reason: `${SIMD_SETTING}=${JSON.stringify(setting)}: expected relaxed, plain or auto` };
  }
  const read = (variant: SimdVariant) => new Uint8Array(readFileSync(fileURLToPath(kernelsUrl({ shared, relaxed: variant === 'relaxed' }))));
  if (wanted === 'plain') return { ok: true, variant: 'plain', bytes: read('plain'), why: `${SIMD_SETTING}=plain` };
  const relaxed = read('relaxed');
  if (validate(relaxed))
    return { ok: true, variant: 'relaxed', bytes: relaxed, why: wanted === 'relaxed' ? `${SIMD_SETTING}=relaxed` : 'the engine validates relaxed SIMD' };
  if (wanted === 'relaxed') return { ok: false, reason: `${SIMD_SETTING}=relaxed, but this engine does not validate relaxed SIMD (f32x4.relaxed_madd)` };
  return { ok: true, variant: 'plain', bytes: read('plain'), why: 'this engine does not validate relaxed SIMD' };
}
