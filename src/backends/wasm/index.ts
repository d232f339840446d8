/**
 * WebAssembly SIMD128 backend: the project's own f32x4 kernels, hand-written in kernels/*.wat
 * (assembled to the committed kernels.wasm by `npm run build:wasm`), one thread.
 *
 * Dense (dense.ts): packed register-blocked GEMM — 4 × 8 micro-tiles in v128 locals, weights packed
 * into 8-column panels at prepare time — with the hidden layer in chunks and bias + activation
 * (exact-erf GELU) fused into the store. FFF (fff.ts): SIMD tree walk, samples grouped by leaf,
 * each leaf's FF through the same GEMM; leaves that do not fit one 4 GiB memory are split across
 * several memories (shards), one instance each. Memory layout and packing: layout.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Weights } from '../../model/weights.ts';
import type { Backend } from '../types.ts';
import { HIDDEN_CHUNK, prepareDense } from './dense.ts';
import { prepareFff } from './fff.ts';
import { Arena, fillRowTable, instantiate, MAX_MEMORY_BYTES, MODE } from './layout.ts';

const WASM_URL = new URL('./kernels.wasm', import.meta.url);

let compiled: WebAssembly.Module | undefined;

/**
 * Calls every kernel path on a tiny problem. V8 first runs wasm functions from its baseline
 * compiler and moves hot ones to the optimizing tier in the background; doing that here, at
 * init, means the first case is not partly timed on baseline code (which is several times
 * slower), even when another library's large module is compiling in the same process.
 */
function warmUp(module: WebAssembly.Module): void {
  const rows = 5, k = 24, panels = 2;
  const arena = new Arena();
  const a = arena.alloc('a', rows * k * 4);
  const b = arena.alloc('b', k * panels * 32);
  const bias = arena.alloc('bias', panels * 32);
  const c = arena.alloc('c', rows * panels * 32);
  const aRows = arena.alloc('a rows', rows * 4);
  const cRows = arena.alloc('c rows', rows * 4);
  const leaves = arena.alloc('leaves', rows * 4);
  const { kernels, u32 } = instantiate(module, arena.createMemory('warm-up'));
  fillRowTable(u32, aRows, rows, a, k * 4);
  fillRowTable(u32, cRows, rows, c, panels * 32);
  for (let n = 0; n < 200; n++) {
    for (const mode of Object.values(MODE)) kernels.gemm(aRows, rows, k, b, panels, bias, cRows, mode);
    kernels.tree_walk(a, rows, k, b, bias, 3, leaves);
  }
}

export const wasmBackend: Backend = {
  name: 'wasm',
  // One memory holds a dense case; an FFF's leaves are split across as many memories as they need.
  maxMemoryBytes: { dense: MAX_MEMORY_BYTES },
  async init() {
    if (compiled) return { ok: true };
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(fileURLToPath(WASM_URL)));
    } catch (err) {
      return { ok: false, reason: `cannot read kernels.wasm (run npm run build:wasm): ${(err as Error).message}` };
    }
    try {
      const module = await WebAssembly.compile(bytes);
      warmUp(module);
      compiled = module;
    } catch (err) {
      // The module uses SIMD128: a runtime without it fails here.
      return { ok: false, reason: `WebAssembly SIMD module did not compile: ${(err as Error).message}` };
    }
    return { ok: true };
  },
  info() {
    return {
      name: 'wasm',
      version: '1',
      threads: 1,
      denseKernel: `hand-written wasm SIMD128 GEMM: 4x8 f32x4 register tile (1x8 for leftover rows), weights packed in 8-column panels at prepare time, rows outer / panels inner, hidden layer in chunks of ${HIDDEN_CHUNK}, bias + activation fused into the store (GELU: exact-erf form, A&S 7.1.26 erf with a SIMD exp)`,
      fffStrategy: 'SIMD tree walk per sample (dot products against node rows), samples grouped by leaf (counting sort over the batch), each visited leaf once per batch through the same packed GEMM, addressing the group\'s rows in place; leaves that do not fit one 4 GiB wasm memory are split across several (one instance each, the tree in the first): the rows routed to another memory\'s leaves are copied there and their outputs copied back within the run',
      notes: 'f32 accumulation (no FMA: wasm SIMD128 has separate mul and add); leaf widths and output dims are padded to multiples of 8 in memory',
    };
  },
  async prepare(weights: Weights, batchSize: number) {
    if (!compiled) throw new Error('wasm backend: prepare() before a successful init()');
    return weights.kind === 'dense' ? prepareDense(compiled, weights, batchSize) : prepareFff(compiled, weights, batchSize);
  },
};
