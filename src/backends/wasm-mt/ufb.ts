/**
 * UltraFastBERT's tree (model 'ufb') on the shared-memory kernels, split across threads: the wasm
 * backend's two phases (src/backends/wasm/ufb.ts), each shared out as the FFF's are (fff.ts):
 *
 * 1. walk: the calling thread copies the input in chunk by chunk, publishing each as it lands; the
 *    worker threads walk each chunk's top levels as soon as it is there (claiming chunks in order
 *    through an atomic counter), and the calling thread joins them once the copy is done;
 * 2. the calling thread sorts the batch by bucket (counting sort, O(batch));
 * 3. route: every thread walks the rest of the way and writes the outputs for its share of the
 *    sorted positions.
 *
 * One shared memory; a tree beyond 4 GiB is skipped (CaseTooLarge). Every sample meets the same
 * instructions whatever the thread count: the outputs are bit-identical.
 */
import type { UfbWeights } from '../../model/weights.ts';
import type { Kernel } from '../types.ts';
import { instantiate, readRows } from '../wasm/layout.ts';
import { LeafGroups } from '../wasm/leaf-groups.ts';
import { describeUfb, fillUfb, layoutUfb, ufbDims } from '../wasm/ufb.ts';
import { shares } from './fff.ts';
import type { MtOptions } from './options.ts';
import { ThreadPool } from './pool.ts';
import { createExecutor, instantiateAll, TASK, type UfbDesc } from './work.mjs';

export interface UfbMtKernel extends Kernel {
  /** Threads the kernel runs on (1: the calling thread alone). */
  readonly threads: number;
}

export async function prepareUfbMt(module: WebAssembly.Module, w: UfbWeights, batch: number, threads: number, options: MtOptions): Promise<UfbMtKernel> {
  const d = ufbDims(w.shape, batch);
  const lay = layoutUfb(d);
  const progress = lay.arena.alloc('run plan', 8);
  const memory = lay.arena.createMemory(describeUfb(w.shape, batch), { shared: true, backend: 'wasm-mt' });
  const { f32 } = instantiate(module, memory);
  const i32 = new Int32Array(memory.buffer);
  fillUfb(f32, i32, lay, d, w);
  const { i, o, oPad, top, levels, chunkRows } = d;
  const chunks = Math.ceil(batch / chunkRows);
  const desc: UfbDesc = { kind: 'ufb', batch, desc: lay.desc, chunkRows, chunks, progress, route: shares(batch, threads) };
  const views = instantiateAll(module, [memory]);
  const mine = createExecutor(desc, views, 0);
  const { kernels } = views[0];
  const buckets = new LeafGroups(2 ** top, batch, new Int32Array(memory.buffer, lay.order, batch));
  const nodeOfView = new Int32Array(memory.buffer, lay.nodeOf, batch);
  const copyChunk = (input: Float32Array, c: number) => {
    const from = c * chunkRows;
    const rows = Math.min(chunkRows, batch - from);
    f32.set(input.subarray(from * i, (from + rows) * i), lay.x / 4 + from * i);
    Atomics.store(i32, progress / 4, c + 1);
    return [from, rows];
  };
  const output = () => readRows(f32, lay.y, batch, o, oPad);

  if (threads === 1) {
    return {
      threads: 1,
      run(input) {
        // one thread: each chunk walked right after its copy, while it is in cache
        for (let c = 0; c < chunks; c++) {
          const [from, rows] = copyChunk(input, c);
          kernels.ufb_top(lay.desc, from, from + rows);
        }
        if (top < levels) buckets.group(nodeOfView, batch);
        kernels.ufb_route(lay.desc, 0, batch);
      },
      output,
      dispose() {},
    };
  }

  const pool = await ThreadPool.start({ threads, module, memories: [memory], desc, timeoutMs: options.timeoutMs, spinMicros: options.spinMicros, fault: options.fault });
  return {
    threads,
    async run(input) {
      Atomics.store(i32, progress / 4, 0);
      Atomics.store(i32, progress / 4 + 1, 0);
      pool.dispatch(TASK.walk);
      for (let c = 0; c < chunks; c++) copyChunk(input, c);
      pool.runShare(TASK.walk, mine);
      await pool.join();
      if (top < levels) buckets.group(nodeOfView, batch);
      pool.dispatch(TASK.route);
      pool.runShare(TASK.route, mine);
      await pool.join();
    },
    output,
    dispose: () => pool.terminate(),
  };
}
