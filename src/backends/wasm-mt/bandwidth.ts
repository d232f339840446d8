/**
 * The machine's read bandwidth with every core reading at once: the wasm backend's streaming-read
 * probe (../wasm/bandwidth.ts) run on each thread of a wasm-mt pool over its own part of one
 * shared buffer. The multi-threaded kernels (wasm-mt, ort-node's) read with every core, so their
 * floor rests on this figure: one core here streams about half of what two do.
 */
import { Arena } from '../wasm/layout.ts';
import { compileShared } from './index.ts';
import { ThreadPool } from './pool.ts';
import { createExecutor, instantiateAll, TASK, type StreamDesc } from './work.mjs';

/**
 * Best of `repeats` timed passes (after one untimed) in which `threads` threads each stream
 * bytes / threads of a fresh shared buffer, in bytes per second. Throws if a thread read wrong sums.
 */
export async function measureAllCoreReadBandwidth(bytes: number, repeats: number, threads: number): Promise<number> {
  const { module } = await compileShared();
  const share = Math.floor(bytes / threads / 64) * 64;
  const arena = new Arena();
  const buffer = arena.alloc('buffer', share * threads);
  const sums = arena.alloc('sums', threads * 4);
  const memory = arena.createMemory('bandwidth probe', { shared: true, backend: 'wasm-mt' });
  const views = instantiateAll(module, [memory]);
  const { f32 } = views[0];
  f32.fill(1, buffer / 4, (buffer + share * threads) / 4); // every page touched: the passes read memory, not page faults
  const desc: StreamDesc = { kind: 'stream', ranges: Array.from({ length: threads }, (_, t) => [buffer + t * share, share]), sums };
  const mine = createExecutor(desc, views, 0);
  const pool = await ThreadPool.start({ threads, module, memories: [memory], desc, timeoutMs: 60_000, spinMicros: 1000 });
  try {
    let best = Infinity;
    for (let r = 0; r < repeats + 1; r++) {
      const t0 = performance.now();
      pool.dispatch(TASK.stream);
      pool.runShare(TASK.stream, mine);
      await pool.join();
      const seconds = (performance.now() - t0) / 1000;
      for (let t = 0; t < threads; t++) {
        if (f32[sums / 4 + t] !== share / 4) throw new Error(`bandwidth probe: thread ${t} summed ${f32[sums / 4 + t]}, expected ${share / 4}`);
      }
      if (r > 0) best = Math.min(best, seconds); // the first pass wakes the threads
    }
    return (share * threads) / best;
  } finally {
    await pool.terminate();
  }
}
