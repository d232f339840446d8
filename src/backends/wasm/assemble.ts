/**
 * Assembles kernels.wat into WebAssembly bytes with the wabt package (SIMD enabled). Used by
 * build.ts (which writes kernels.wasm) and by the test that checks the committed kernels.wasm is
 * exactly this source's assembly. The backend itself only reads kernels.wasm: wabt is a build tool.
 *
 * `{ shared: true }` assembles the same source with its memory import made `shared` (the
 * threads feature): the multi-threaded `wasm-mt` backend's kernels-shared.wasm, which instantiates
 * on a shared WebAssembly.Memory. Same functions, same instructions; only the import differs.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabt from 'wabt';

export const WAT_URL = new URL('./kernels.wat', import.meta.url);
export const WASM_URL = new URL('./kernels.wasm', import.meta.url);
/** The shared-memory variant, read by src/backends/wasm-mt/. */
export const SHARED_WASM_URL = new URL('../wasm-mt/kernels-shared.wasm', import.meta.url);

/** The memory import as kernels.wat declares it; the shared variant appends `shared`. */
const MEMORY_IMPORT = '(import "env" "memory" (memory 1 65535))';

export async function assembleKernels(options: { shared?: boolean } = {}): Promise<Uint8Array> {
  const tools = await wabt();
  let source = readFileSync(fileURLToPath(WAT_URL), 'utf8');
  if (options.shared) {
    if (source.split(MEMORY_IMPORT).length !== 2) throw new Error(`kernels.wat: expected exactly one ${MEMORY_IMPORT} to make shared`);
    source = source.replace(MEMORY_IMPORT, '(import "env" "memory" (memory 1 65535 shared))');
  }
  const features = options.shared ? { simd: true, threads: true } : { simd: true };
  const module = tools.parseWat('kernels.wat', source, features);
  try {
    // wabt's typings omit validate's features argument (the threads feature is off by default)
    if (options.shared) (module as unknown as { validate(features: object): void }).validate(features);
    else module.validate();
    // No debug names: the binary depends only on the source and the wabt version.
    return module.toBinary({ canonicalize_lebs: true, write_debug_names: false }).buffer;
  } finally {
    module.destroy();
  }
}
