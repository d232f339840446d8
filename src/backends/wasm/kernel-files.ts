/**
 * Where each build of the kernels is committed (`npm run build:wasm` writes them: build.ts). A
 * module apart from assemble.ts so the backends find their binaries without loading wabt.
 */
export interface KernelBuild {
  /** The memory import is shared (wasm-mt's build). */
  shared?: boolean;
  /** The relaxed-SIMD build (relaxed.ts). */
  relaxed?: boolean;
}

/** kernels.wasm, kernels-relaxed.wasm, ../wasm-mt/kernels-shared.wasm, ../wasm-mt/kernels-shared-relaxed.wasm. */
export function kernelsUrl(build: KernelBuild = {}): URL {
  const base = build.shared ? '../wasm-mt/kernels-shared' : './kernels';
  return new URL(`${base}${build.relaxed ? '-relaxed' : ''}.wasm`, import.meta.url);
}

/** Every build `npm run build:wasm` writes. */
export const KERNEL_BUILDS: KernelBuild[] = [{}, { shared: true }, { relaxed: true }, { shared: true, relaxed: true }];

export const WASM_URL = kernelsUrl();
/** The shared-memory variant, read by src/backends/wasm-mt/. */
export const SHARED_WASM_URL = kernelsUrl({ shared: true });
