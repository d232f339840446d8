/**
 * Assembles the hand-written kernels (kernels/*.wat) into one WebAssembly module with the wabt
 * package (SIMD enabled). Used by build.ts (which writes kernels.wasm) and by the test that checks
 * the committed kernels.wasm is exactly this source's assembly. The backend itself only reads
 * kernels.wasm: wabt is a build tool.
 *
 * The module: one imported linear memory laid out by the JavaScript side (layout.ts), addressed by
 * byte offsets (i32, compared unsigned); the memory is capped below 4 GiB so that no
 * `start + length` end pointer wraps. The part files hold the module's functions, in this order
 * (the order fixes the binary), each with its own header:
 *
 *   activation.wat  exp, erf and exact-erf GELU on four lanes (no exports)
 *   gemm.wat        gemm(aRows, rows, k, b, panels, bias, cRows, mode): C = epilogue(A · B), packed panels
 *   tree.wat        the FFF's routing four samples at a time: tree_walk (hard routing, or the first
 *                   phase of a two-phase walk)
 *   leaves.wat      fff_route and fff_leaves: the second phase of the walk over sorted positions, and
 *                   leaves narrower than a GEMM panel, without padding
 *   ufb.wat         ufb_top and ufb_route: UltraFastBERT's tree in the same two phases
 *   probe.wat       stream_read(at, bytes): the read-bandwidth probe
 *
 * `{ shared: true }` assembles the same functions with the memory import made `shared` (the
 * threads feature): the multi-threaded `wasm-mt` backend's kernels-shared.wasm, which instantiates
 * on a shared WebAssembly.Memory. Same functions, same instructions; only the import differs.
 *
 * `{ relaxed: true }` assembles the relaxed-SIMD build (relaxed.ts: each folded multiply-add a
 * relaxed_madd), written beside each: kernels-relaxed.wasm and kernels-shared-relaxed.wasm. The
 * backends run it where the engine validates it (simd-variant.ts), the plain build elsewhere.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabt from 'wabt';
import type { KernelBuild } from './kernel-files.ts';
import { relaxSimd } from './relaxed.ts';

/** The part files, in module order. */
export const KERNEL_PARTS = ['activation.wat', 'gemm.wat', 'tree.wat', 'leaves.wat', 'ufb.wat', 'probe.wat'];
export { KERNEL_BUILDS, kernelsUrl, SHARED_WASM_URL, WASM_URL, type KernelBuild } from './kernel-files.ts';

/** The module's source: the memory import, then the parts (rewritten for relaxed SIMD where asked). */
export function kernelSource(options: KernelBuild = {}): string {
  const parts = KERNEL_PARTS.map((name) => readFileSync(fileURLToPath(new URL(`./kernels/${name}`, import.meta.url)), 'utf8'));
  const memory = `(import "env" "memory" (memory 1 65535${options.shared ? ' shared' : ''}))`;
  const source = `(module\n${memory}\n${parts.join('\n')})\n`;
  return options.relaxed ? relaxSimd(source).source : source;
}

export async function assembleKernels(options: KernelBuild = {}): Promise<Uint8Array> {
  const tools = await wabt();
  const features = { simd: true, ...(options.shared ? { threads: true } : {}), ...(options.relaxed ? { relaxed_simd: true } : {}) };
  const module = tools.parseWat('kernels.wat', kernelSource(options), features);
  try {
    // wabt's typings omit validate's features argument (threads and relaxed SIMD are off by default)
    if (options.shared || options.relaxed) (module as unknown as { validate(features: object): void }).validate(features);
    else module.validate();
    // No debug names: the binary depends only on the source and the wabt version.
    return module.toBinary({ canonicalize_lebs: true, write_debug_names: false }).buffer;
  } finally {
    module.destroy();
  }
}
