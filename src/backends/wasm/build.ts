/** `npm run build:wasm`: assembles kernels.wat into kernels.wasm (commit both). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assembleKernels, WASM_URL } from './assemble.ts';

const bytes = await assembleKernels();
const path = fileURLToPath(WASM_URL);
writeFileSync(path, bytes);
console.log(`wrote ${path} (${bytes.length} bytes)`);
