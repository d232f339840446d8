/**
 * `npm run build:wasm`: assembles kernels/*.wat into kernels.wasm, its shared-memory variant
 * ../wasm-mt/kernels-shared.wasm, and the relaxed-SIMD build of each (kernels-relaxed.wasm,
 * ../wasm-mt/kernels-shared-relaxed.wasm); commit them all.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assembleKernels, KERNEL_BUILDS, kernelsUrl } from './assemble.ts';

for (const build of KERNEL_BUILDS) {
  const bytes = await assembleKernels(build);
  const path = fileURLToPath(kernelsUrl(build));
  writeFileSync(path, bytes);
  console.log(`wrote ${path} (${bytes.length} bytes)`);
}
