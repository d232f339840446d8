/**
 * Dense FF on the shared-memory kernels, split across threads. The GEMM is the wasm backend's
 * (packed 8-column panels, hidden layer in chunks of HIDDEN_CHUNK with bias and activation fused);
 * the weights are packed once into one shared memory that every thread instantiates.
 *
 * - `rows` split (batch ≥ ROWS_SPLIT_MIN_ROWS rows per thread): thread t runs every hidden chunk
 *   over its own block of rows (a multiple of 4, the GEMM's tile height), with its own hidden
 *   buffer: one dispatch per run and no synchronisation between chunks.
 * - `hidden` split (small batches, where a block of rows would be too thin to keep the 4-row tile
 *   busy and every thread would read all the weights): thread t runs its own hidden chunks over
 *   every row into its own output buffer (thread 0's is the real one), and the calling thread
 *   adds the others after the join. Each weight is read by one thread.
 */
import type { DenseWeights } from '../../model/weights.ts';
import { allocChunks, HIDDEN_CHUNK, packChunks } from '../wasm/dense.ts';
import { activationMode, Arena, fillRowTable, instantiate, PANEL, readRows, roundUp } from '../wasm/layout.ts';
import type { Kernel } from '../types.ts';
import { ThreadPool } from './pool.ts';
import { createExecutor, instantiateAll, TASK, type DenseDesc } from './work.mjs';
import type { MtOptions } from './options.ts';

/**
 * Rows per thread from which the `rows` split is used. Measured (node 20, 2 threads on 2 free
 * cores, i = o = 768, width 4096, speedup over the one-thread wasm backend, rows / hidden split):
 * batch 16: 1.70x / 2.00x; 32: 2.12x / 2.11x; 64: 1.97x / 1.99x; 128: 1.87x / 1.91x; 256: 1.87x /
 * 1.87x. (Batch 4: 0.88x / 0.86x: a 4-row call streams the 25 MB of weights at ~15 GB/s, all this
 * machine's memory gives one thread or two — a bandwidth-bound dense call does not scale here.)
 */
export const ROWS_SPLIT_MIN_ROWS = 16;

export function denseSplit(batch: number, width: number, threads: number): DenseDesc['split'] {
  const chunks = Math.ceil(width / HIDDEN_CHUNK);
  return batch >= ROWS_SPLIT_MIN_ROWS * threads || chunks < 2 ? 'rows' : 'hidden';
}

export interface DenseMtKernel extends Kernel {
  /** Threads the kernel runs on (1: the calling thread alone). */
  readonly threads: number;
  readonly split: DenseDesc['split'];
}

export async function prepareDenseMt(module: WebAssembly.Module, w: DenseWeights, batch: number, threads: number, options: MtOptions): Promise<DenseMtKernel> {
  const { inputDim: i, outputDim: o, activation } = w.shape;
  const width = w.width;
  const oPad = roundUp(o, PANEL);
  const hiddenStride = Math.min(HIDDEN_CHUNK, roundUp(width, PANEL));
  const split = options.denseSplit ?? denseSplit(batch, width, threads);
  const nChunks = Math.ceil(width / HIDDEN_CHUNK);

  // Thread t's rows (rows split: multiples of 4 but the last) or hidden chunks (hidden split: the
  // calling thread first, so that it always has at least one and writes the real output).
  const rowsOf = (t: number): [number, number] => {
    const edge = (k: number) => (k >= threads ? batch : Math.min(batch, roundUp(Math.floor((batch * k) / threads), 4)));
    return split === 'rows' ? [edge(t), edge(t + 1)] : [0, batch];
  };
  const chunksOf = (t: number): [number, number] => {
    const edge = (k: number) => Math.min(nChunks, Math.ceil((nChunks * k) / threads));
    return split === 'hidden' ? [edge(t), edge(t + 1)] : [0, nChunks];
  };

  const arena = new Arena();
  const x = arena.alloc('input', batch * i * 4);
  const y = arena.alloc('output', batch * oPad * 4);
  const xRows = arena.alloc('row tables', batch * 4);
  const yRows = arena.alloc('row tables', batch * 4);
  const b2 = arena.alloc('b2', oPad * 4);
  const zeroBias = arena.alloc('b2', oPad * 4);
  const perThread = Array.from({ length: threads }, (_, t) => {
    const [r0, r1] = rowsOf(t);
    const rows = Math.max(r1 - r0, 1);
    const hidden = arena.alloc('hidden chunk per thread', rows * hiddenStride * 4);
    const hRows = arena.alloc('row tables', rows * 4);
    const own = split === 'hidden' && t > 0;
    const yT = own ? arena.alloc('partial outputs per thread', batch * oPad * 4) : y;
    const yRowsT = own ? arena.alloc('row tables', batch * 4) : yRows;
    return { rows, hidden, hRows, y: yT, yRows: yRowsT };
  });
  const chunks: DenseDesc['chunks'] = allocChunks(arena, i, width, oPad);
  const memory = arena.createMemory(`dense i=${i} W=${width} o=${o} batch=${batch}`, { shared: true, backend: 'wasm-mt' });
  const { f32, u32 } = instantiate(module, memory);
  packChunks(f32, chunks, w);
  f32.set(w.b2, b2 / 4);
  fillRowTable(u32, xRows, batch, x, i * 4);
  fillRowTable(u32, yRows, batch, y, oPad * 4);
  for (const p of perThread) {
    fillRowTable(u32, p.hRows, p.rows, p.hidden, hiddenStride * 4);
    if (p.yRows !== yRows) fillRowTable(u32, p.yRows, batch, p.y, oPad * 4);
  }

  const desc: DenseDesc = {
    kind: 'dense',
    batch,
    i,
    act: activationMode(activation),
    oPanels: oPad / PANEL,
    chunks,
    b2,
    zeroBias,
    xRows,
    yRows,
    split,
    threads: perThread.map((p, t) => ({ rows: rowsOf(t), chunks: chunksOf(t), hRows: p.hRows, yRows: p.yRows })),
  };
  const mine = createExecutor(desc, instantiateAll(module, [memory]), 0);
  const output = () => readRows(f32, y, batch, o, oPad);

  if (threads === 1) {
    return {
      threads: 1,
      split,
      run(input) {
        f32.set(input, x / 4);
        mine(TASK.dense);
      },
      output,
      dispose() {},
    };
  }

  /** Hidden split: y += the other threads' partial outputs. */
  const partials = perThread.filter((_, t) => t > 0 && chunksOf(t)[1] > chunksOf(t)[0]).map((p) => p.y);
  const reduce = () => {
    for (const from of partials) {
      for (let r = 0; r < batch; r++) {
        const a = y / 4 + r * oPad;
        const b = from / 4 + r * oPad;
        for (let c = 0; c < o; c++) f32[a + c] += f32[b + c];
      }
    }
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
    split,
    async run(input) {
      f32.set(input, x / 4);
      pool.dispatch(TASK.dense);
      pool.runShare(TASK.dense, mine);
      await pool.join();
      if (split === 'hidden') reduce();
    },
    output,
    dispose: () => pool.terminate(),
  };
}
