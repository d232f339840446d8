/**
 * Assembles kernels.wat into WebAssembly bytes with the wabt package (SIMD enabled). Used by
 * build.ts (which writes kernels.wasm) and by the test that checks the committed kernels.wasm is
 * exactly this source's assembly. The backend itself only reads kernels.wasm: wabt is a build tool.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabt from 'wabt';

export const WAT_URL = new URL('./kernels.wat', import.meta.url);
export const WASM_URL = new URL('./kernels.wasm', import.meta.url);

export async function assembleKernels(): Promise<Uint8Array> {
  const tools = await wabt();
  const source = readFileSync(fileURLToPath(WAT_URL), 'utf8');
  const module = tools.parseWat('kernels.wat', source, { simd: true });
  try {
    module.validate();
    // No debug names: the binary depends only on the source and the wabt version.
    return module.toBinary({ canonicalize_lebs: true, write_debug_names: false }).buffer;
  } finally {
    module.destroy();
  }
}
