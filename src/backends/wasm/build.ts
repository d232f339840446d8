/**
 * `npm run build:wasm`: assembles kernels/*.wat into kernels.wasm, and into its shared-memory variant
 * ../wasm-mt/kernels-shared.wasm (commit all three).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assembleKernels, SHARED_WASM_URL, WASM_URL } from './assemble.ts';

for (const [url, shared] of [[WASM_URL, false], [SHARED_WASM_URL, true]] as const) {
  const bytes = await assembleKernels({ shared });
  const path = fileURLToPath(url);
  writeFileSync(path, bytes);
  console.log(`wrote ${path} (${bytes.length} bytes)`);
}
