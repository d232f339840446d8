/**
 * The gemm kernel's epilogue modes (kernels/gemm.wat): one home for the wasm backend (layout.ts) and
 * wasm-mt's worker threads (wasm-mt/work.mjs), which load plain JavaScript. Types: modes.d.mts.
 */
export const MODE = Object.freeze({ accumulate: 0, relu: 1, gelu: 2, bias: 3 });
