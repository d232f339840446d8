/**
 * WebAssembly SIMD128 backend: the project's own f32x4 kernels, hand-written in kernels/*.wat
 * (assembled to the committed kernels.wasm by `npm run build:wasm`), one thread.
 *
 * Dense (dense.ts): packed register-blocked GEMM — 4 × 8 micro-tiles in v128 locals, weights packed
 * into 8-column panels at prepare time — with the hidden layer in chunks and bias + activation
 * (exact-erf GELU) fused into the store. FFF (fff.ts): a two-phase SIMD tree walk (the top levels
 * chunk by chunk as the input is copied in, the rest with the batch sorted by the node reached, four
 * samples at a time); leaves narrower than a panel (ℓ < 8) in that same pass, one dot product per
 * hidden unit, nothing padded; wider ones grouped by leaf through the GEMM; leaves that do not fit
 * one 4 GiB memory are split across several memories (shards), one instance each. UltraFastBERT's
 * tree (ufb.ts): the same two phases, each sample's output written once. Memory layout and
 * packing: layout.ts, fff-layout.ts. Where the engine validates relaxed SIMD, the relaxed build of
 * the same kernels runs (kernels-relaxed.wasm: fused multiply-adds; simd-variant.ts).
 */
import type { Weights } from '../../model/weights.ts';
import type { Backend, PrepareOptions } from '../types.ts';
import { HIDDEN_CHUNK, prepareDense } from './dense.ts';
import { prepareFff } from './fff.ts';
import { prepareUfb, UFB_STRATEGY } from './ufb.ts';
import { CHUNK_BYTES, SMALL_LEAF_BELOW, TOP_TREE_BYTES, TWO_PHASE_FROM_BATCH } from './fff-layout.ts';
import { WARM_UP_BYTES, warmUpKernels } from './abi.mjs';
import { Arena, instantiate, MAX_MEMORY_BYTES } from './layout.ts';
import { chooseVariant, VARIANT_TEXT, type SimdVariant } from './simd-variant.ts';

let compiled: WebAssembly.Module | undefined;
let variant: SimdVariant = 'plain';

/** Moves every kernel to V8's optimizing tier before the first case (abi.mjs: warmUpKernels). */
function warmUp(module: WebAssembly.Module): void {
  const arena = new Arena();
  const at = arena.alloc('warm-up', WARM_UP_BYTES);
  const memory = arena.createMemory('warm-up');
  warmUpKernels(instantiate(module, memory).kernels, new Int32Array(memory.buffer), at);
}

export const wasmBackend: Backend = {
  name: 'wasm',
  models: ['fff', 'ufb', 'dense'],
  // One memory holds a dense case or an UltraFastBERT tree; an FFF's leaves are split across as
  // many memories as they need. Each holds one copy of the weights (the default weightCopies).
  maxMemoryBytes: { dense: MAX_MEMORY_BYTES, ufb: MAX_MEMORY_BYTES },
  async init() {
    if (compiled) return { ok: true };
    let choice: ReturnType<typeof chooseVariant>;
    try {
      choice = chooseVariant(false);
    } catch (err) {
      return { ok: false, reason: `cannot read the kernels (run npm run build:wasm): ${(err as Error).message}` };
    }
    if (!choice.ok) return { ok: false, reason: choice.reason };
    try {
      const module = await WebAssembly.compile(choice.bytes);
      warmUp(module);
      compiled = module;
      variant = choice.variant;
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
      kernelBuild: variant,
      denseKernel: `hand-written wasm SIMD128 GEMM: 4x8 f32x4 register tile (1x8 for leftover rows), weights packed in 8-column panels at prepare time, rows outer / panels inner, hidden layer in chunks of ${HIDDEN_CHUNK}, bias + activation fused into the store (GELU: exact-erf form, A&S 7.1.26 erf with a SIMD exp)`,
      fffStrategy: `SIMD tree walk in two phases: the input copied in chunks of ${CHUNK_BYTES / 1024} KiB, each chunk's samples walking the top levels (as many as keep ${TOP_TREE_BYTES / 1024} KiB of node rows) while it is in cache; then the batch sorted by the node reached (counting sort) and every sample walking the rest four at a time (one f32x4 lane each), a subtree's rows read from memory once for its samples; batches under ${TWO_PHASE_FROM_BATCH} walk the whole tree in the first phase. Leaves narrower than ${SMALL_LEAF_BELOW} run in the same pass, sample by sample: one dot product per hidden unit against W1 stored transposed, nothing padded, no call per leaf. Wider leaves: samples grouped by leaf (counting sort), each visited leaf once per batch through the packed GEMM, addressing the group's rows in place. Leaves that do not fit one 4 GiB wasm memory are split across several (one instance each, the tree in the first): the rows routed to another memory's leaves are copied there and their outputs copied back within the run`,
      ufbStrategy: UFB_STRATEGY,
      notes: `kernels: ${VARIANT_TEXT[variant]}; f32 accumulation; output dims, and leaf widths of ${SMALL_LEAF_BELOW} and more, padded to multiples of 8 in memory`,
    };
  },
  async prepare(weights: Weights, batchSize: number, options?: PrepareOptions) {
    if (!compiled) throw new Error('wasm backend: prepare() before a successful init()');
    if (weights.kind === 'dense') return prepareDense(compiled, weights, batchSize);
    if (weights.kind === 'fff') return prepareFff(compiled, weights, batchSize);
    return prepareUfb(compiled, weights, batchSize, options?.inputBatches);
  },
};
