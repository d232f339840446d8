/**
 * UltraFastBERT's tree (model 'ufb') on the shared-memory kernels, split across threads: the wasm
 * backend's two phases (src/backends/wasm/ufb.ts), each shared out as the FFF's are (fff.ts):
 *
 * 1. walk: every thread walks the top levels of the chunks it claims (in order, through an atomic
 *    counter). An input batch in the kernel's memory (Kernel.inputs) is there already; another is
 *    copied in chunk by chunk by the calling thread, which publishes each as it lands and joins
 *    the walk once the copy is done;
 * 2. the calling thread sorts the batch by bucket (counting sort, O(batch));
 * 3. route: every thread walks the rest of the way and writes the outputs for its share of the
 *    sorted positions.
 *
 * One shared memory; a tree beyond 4 GiB is skipped (CaseTooLarge). Every sample meets the same
 * instructions whatever the thread count: the outputs are bit-identical.
 */
import type { UfbWeights } from '../../model/weights.ts';
import type { Kernel } from '../types.ts';
import { readRows } from '../wasm/layout.ts';
import { LeafGroups } from '../wasm/leaf-groups.ts';
import { describeUfb, fillUfb, inputViews, layoutUfb, oneThreadUfb, outputViewOf, pointAtInput, ufbDims } from '../wasm/ufb.ts';
import { shares } from './fff.ts';
import type { MtOptions } from './options.ts';
import { ThreadPool } from './pool.ts';
import { createExecutor, instantiateAll, TASK, type UfbDesc } from './work.mjs';

export interface UfbMtKernel extends Kernel {
  /** Threads the kernel runs on (1: the calling thread alone). */
  readonly threads: number;
}

export async function prepareUfbMt(
  module: WebAssembly.Module,
  w: UfbWeights,
  batch: number,
  threads: number,
  options: MtOptions,
  inputBatches = 1,
): Promise<UfbMtKernel> {
  const d = ufbDims(w.shape, batch);
  const lay = layoutUfb(d, inputBatches);
  const progress = lay.arena.alloc('run plan', 8);
  const memory = lay.arena.createMemory(describeUfb(w.shape, batch), { shared: true, backend: 'wasm-mt' });
  const views = instantiateAll(module, [memory]);
  const { kernels, f32, i32 } = views[0];
  fillUfb(f32, i32, lay, d, w);
  if (threads === 1) return { threads: 1, ...oneThreadUfb(kernels, memory, lay, d) };

  const inputs = inputViews(memory, lay, d);
  const { i, o, oPad, top, levels, chunkRows } = d;
  const chunks = Math.ceil(batch / chunkRows);
  const desc: UfbDesc = { kind: 'ufb', batch, desc: lay.desc, chunkRows, chunks, progress, route: shares(batch, threads) };
  const mine = createExecutor(desc, views, 0);
  const buckets = new LeafGroups(2 ** top, batch, new Int32Array(memory.buffer, lay.order, batch));
  const nodeOfView = new Int32Array(memory.buffer, lay.nodeOf, batch);
  const copyChunk = (input: Float32Array, c: number) => {
    const from = c * chunkRows;
    const rows = Math.min(chunkRows, batch - from);
    f32.set(input.subarray(from * i, (from + rows) * i), lay.x / 4 + from * i);
    Atomics.store(i32, progress / 4, c + 1);
  };

  const pool = await ThreadPool.start({
    threads,
    module,
    memories: [memory],
    desc,
    timeoutMs: options.timeoutMs,
    spinMicros: options.spinMicros,
    fault: options.fault,
  });
  return {
    threads,
    inputs,
    async run(input) {
      const inPlace = pointAtInput(i32, lay, inputs, input);
      // chunks published: all of them for a batch in place, else each as the copy lands
      Atomics.store(i32, progress / 4, inPlace ? chunks : 0);
      Atomics.store(i32, progress / 4 + 1, 0);
      pool.dispatch(TASK.walk);
      if (!inPlace) for (let c = 0; c < chunks; c++) copyChunk(input, c);
      pool.runShare(TASK.walk, mine);
      await pool.join();
      if (top < levels) buckets.group(nodeOfView, batch);
      pool.dispatch(TASK.route);
      pool.runShare(TASK.route, mine);
      await pool.join();
    },
    output: () => readRows(f32, lay.y, batch, o, oPad),
    ...outputViewOf(memory, lay, d),
    dispose: () => pool.terminate(),
  };
}
