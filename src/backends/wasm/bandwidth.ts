/**
 * Sustained read bandwidth, measured with the wasm backend's SIMD streaming-read kernel
 * (a JavaScript loop is bound by its instructions and would understate what kernels can read).
 * Used by the calibration (src/execute/calibrate.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Arena, instantiate } from './layout.ts';

/** Best of `repeats` streaming reads over `bytes` bytes (a fresh buffer, far larger than any cache), in bytes per second. */
export async function measureReadBandwidth(bytes: number, repeats: number): Promise<number> {
  const module = await WebAssembly.compile(new Uint8Array(readFileSync(fileURLToPath(new URL('./kernels.wasm', import.meta.url)))));
  const arena = new Arena();
  const at = arena.alloc('buffer', bytes);
  const { kernels, f32 } = instantiate(module, arena.createMemory('bandwidth probe'));
  f32.fill(1, at / 4, (at + bytes) / 4); // touch every page so the timing reads memory, not page faults
  let best = Infinity;
  for (let r = 0; r < repeats + 1; r++) {
    const t0 = performance.now();
    const sum = kernels.stream_read(at, bytes - (bytes % 64));
    const seconds = (performance.now() - t0) / 1000;
    if (sum !== (bytes - (bytes % 64)) / 4) throw new Error(`stream_read summed ${sum}, expected ${(bytes - (bytes % 64)) / 4}`);
    if (r > 0) best = Math.min(best, seconds); // the first pass compiles the function
  }
  return bytes / best;
}
