/**
 * The wasm-mt backend's per-thread work, shared by the calling thread (index.ts, dense.ts, fff.ts)
 * and the worker threads (thread.mjs). Plain JavaScript: Node 20 cannot load a TypeScript worker
 * script through tsx, and Deno and Bun load it as it is. Types: work.d.mts.
 *
 * A kernel is described once, at prepare time, by a plain object (`desc`: region addresses and the
 * fixed thread ranges) that every thread receives; a run then only says which task to do. Thread
 * t (0 = the calling thread) runs its share of a task with its own instances of the shared-memory
 * kernels (one per memory) — see createExecutor.
 */
import { WARM_UP_BYTES, warmUpKernels } from '../wasm/abi.mjs';
import { MODE } from '../wasm/modes.mjs';

/** Tasks the calling thread hands to the workers (control word TASK). */
export const TASK = Object.freeze({ exit: 1, dense: 2, walk: 3, route: 4, leaves: 5, stream: 6 });

/**
 * The control block (an Int32Array over a SharedArrayBuffer): CTL.words words — the generation
 * counter the workers wait on, the task, how many workers finished it, the first failed thread
 * (index + 1) — then one slot of SLOT_BYTES per thread: the last generation it finished, and the
 * length and UTF-8 text of its failure.
 */
export const CTL = Object.freeze({ gen: 0, task: 1, done: 2, failed: 3, words: 16 });
export const SLOT_BYTES = 1024;

/** Bytes of the control block for `threads` threads. */
export function controlBytes(threads) {
  return CTL.words * 4 + threads * SLOT_BYTES;
}

const slot = (thread) => CTL.words + (thread * SLOT_BYTES) / 4;

/** Marks generation `gen` finished by `thread`, counts it done and wakes the calling thread. */
export function markDone(ctl, thread, gen) {
  Atomics.store(ctl, slot(thread), gen);
  Atomics.add(ctl, CTL.done, 1);
  Atomics.notify(ctl, CTL.done);
}

/** The last generation `thread` finished. */
export function finishedGeneration(ctl, thread) {
  return Atomics.load(ctl, slot(thread));
}

/** Records `message` as thread `thread`'s failure (the first failure wins the `failed` word). */
export function recordFailure(ctl, thread, message) {
  const bytes = new TextEncoder().encode(message).subarray(0, SLOT_BYTES - 8);
  ctl[slot(thread) + 1] = bytes.length;
  new Uint8Array(ctl.buffer, (slot(thread) + 2) * 4, bytes.length).set(bytes);
  Atomics.compareExchange(ctl, CTL.failed, 0, thread + 1);
}

/** The failure message thread `thread` recorded. */
export function readFailure(ctl, thread) {
  const length = Math.max(0, Math.min(ctl[slot(thread) + 1], SLOT_BYTES - 8));
  // slice: TextDecoder refuses views of shared memory
  return new TextDecoder().decode(new Uint8Array(ctl.buffer, (slot(thread) + 2) * 4, length).slice());
}

/** Instantiates the shared-memory kernels on each memory. */
export function instantiateAll(module, memories) {
  return memories.map((memory) => {
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    return { kernels: instance.exports, f32: new Float32Array(memory.buffer), i32: new Int32Array(memory.buffer), u32: new Uint32Array(memory.buffer) };
  });
}

/**
 * Moves every kernel to V8's optimizing tier (src/backends/wasm/abi.mjs: warmUpKernels), so the
 * calling thread's first case does not run on baseline code. The compiled code is the module's,
 * shared by every thread it is posted to.
 */
export function warmUp(module) {
  const pages = Math.ceil((64 + WARM_UP_BYTES) / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const [{ kernels, i32 }] = instantiateAll(module, [memory]);
  warmUpKernels(kernels, i32, 64);
}

/**
 * Thread `thread`'s share of each task of the kernel `desc`, on `views` (one instance per memory,
 * in desc's memory order). Returns run(task).
 */
export function createExecutor(desc, views, thread) {
  if (desc.kind === 'dense') return denseExecutor(desc, views[0], thread);
  if (desc.kind === 'ufb') return ufbExecutor(desc, views[0], thread);
  if (desc.kind === 'stream') return streamExecutor(desc, views[0], thread);
  return fffExecutor(desc, views, thread);
}

/**
 * The first phase of a two-phase walk (FFF and UltraFastBERT alike): claims the batch's chunks in
 * order through the atomic counter at i32 index `progress + 1` and calls walkChunk(first row, rows)
 * for each once the calling thread, which copies them in, has published it (the counter at
 * `progress`: chunks copied so far).
 */
function claimChunks(i32, progress, chunks, chunkRows, batch, walkChunk) {
  for (;;) {
    const c = Atomics.add(i32, progress + 1, 1);
    if (c >= chunks) return;
    // the calling thread is copying chunk c in: wait for it
    while (Atomics.load(i32, progress) <= c);
    const from = c * chunkRows;
    walkChunk(from, Math.min(chunkRows, batch - from));
  }
}

/**
 * UltraFastBERT's tree (ufb.ts has the run around these tasks): `walk` — the first phase, chunks
 * claimed as the calling thread copies them in (claimChunks); `route` — the second phase and the
 * outputs for thread t's share of the positions sorted by bucket.
 */
function ufbExecutor(desc, view, thread) {
  const { kernels, i32 } = view;
  const [r0, r1] = desc.route[thread];
  return (task) => {
    if (task === TASK.walk)
      return claimChunks(i32, desc.progress / 4, desc.chunks, desc.chunkRows, desc.batch, (from, rows) => kernels.ufb_top(desc.desc, from, from + rows));
    if (task !== TASK.route) throw new Error(`UltraFastBERT kernel: unexpected task ${task}`);
    if (r1 > r0) kernels.ufb_route(desc.desc, r0, r1);
  };
}

/**
 * The read-bandwidth probe on every thread at once (bandwidth.ts): `stream` — thread t streams its
 * own range of the buffer and records the sum it read (checked by the calling thread).
 */
function streamExecutor(desc, view, thread) {
  const { kernels, f32 } = view;
  const [at, bytes] = desc.ranges[thread];
  return (task) => {
    if (task !== TASK.stream) throw new Error(`bandwidth probe: unexpected task ${task}`);
    f32[desc.sums / 4 + thread] = kernels.stream_read(at, bytes);
  };
}

/**
 * Dense: `rows` split — thread t runs every hidden chunk over its rows (no synchronisation between
 * chunks); `hidden` split — thread t runs its hidden chunks over every row into its own output
 * (thread 0's is the real one; the calling thread adds the others after the join).
 */
function denseExecutor(desc, view, thread) {
  const { kernels } = view;
  const { i, act, oPanels, chunks, b2, zeroBias, xRows } = desc;
  const mine = desc.threads[thread];
  return (task) => {
    if (task !== TASK.dense) throw new Error(`dense kernel: unexpected task ${task}`);
    if (desc.split === 'rows') {
      const [r0, r1] = mine.rows;
      if (r1 <= r0) return;
      for (let n = 0; n < chunks.length; n++) {
        const c = chunks[n];
        kernels.gemm(xRows + r0 * 4, r1 - r0, i, c.w1, c.panels, c.b1, mine.hRows, act);
        kernels.gemm(mine.hRows, r1 - r0, c.size, c.w2, oPanels, b2, desc.yRows + r0 * 4, n === 0 ? MODE.bias : MODE.accumulate);
      }
    } else {
      const [c0, c1] = mine.chunks;
      for (let n = c0; n < c1; n++) {
        const c = chunks[n];
        kernels.gemm(xRows, desc.batch, i, c.w1, c.panels, c.b1, mine.hRows, act);
        kernels.gemm(mine.hRows, desc.batch, c.size, c.w2, oPanels, thread === 0 ? b2 : zeroBias, mine.yRows, n === c0 ? MODE.bias : MODE.accumulate);
      }
    }
  };
}

/**
 * FFF (fff.ts has the run around these tasks):
 * - `walk`: the first phase (claimChunks): thread t walks the top levels of each chunk it claims
 *   once the calling thread has copied it in; the calling thread copies all of them first, then
 *   claims what is left.
 * - `route`: the second phase, fff_route over thread t's share of the positions sorted by bucket;
 *   small leaves run in it unless the leaves are split across memories.
 * - `leaves`: thread t runs the segments the calling thread assigned it (plan region: per thread
 *   [first segment, count], then segments of [leaf, sorted position, rows]) — small leaves through
 *   fff_leaves, wider ones through the GEMM. A segment of another shard's leaf first copies its
 *   input rows from shard 0 into that shard (in sorted order, where its row tables point; its
 *   leaf index beside them) and afterwards copies its output rows back.
 */
function fffExecutor(desc, views, thread) {
  const { i, o, l, oPad, lPad, act, lPanels, oPanels, w1Bytes, w2Bytes, inFirst, perShard, shards, plan, batch, chunkRows } = desc;
  const zero = views[0];
  const s0 = shards[0];
  const [r0, r1] = desc.route[thread];
  const walkChunk = (from, rows) => zero.kernels.tree_walk(s0.x + from * i * 4, rows, i, desc.nodeW, desc.nodeB, desc.top, s0.leafOf + from * 4);
  return (task) => {
    if (task === TASK.walk) return claimChunks(zero.i32, plan.progress / 4, desc.chunks, chunkRows, batch, walkChunk);
    if (task === TASK.route) {
      if (r1 > r0) zero.kernels.fff_route(s0.desc, r0, r1, desc.small && shards.length === 1 ? 1 : 0);
      return;
    }
    if (task !== TASK.leaves) throw new Error(`FFF kernel: unexpected task ${task}`);
    const index = zero.i32;
    const first = index[plan.index / 4 + 2 * thread];
    const count = index[plan.index / 4 + 2 * thread + 1];
    for (let g = first; g < first + count; g++) {
      const at = plan.segments / 4 + 3 * g;
      const leaf = index[at],
        pos = index[at + 1],
        rows = index[at + 2];
      const k = leaf < inFirst ? 0 : 1 + (((leaf - inFirst) / perShard) | 0);
      const s = shards[k];
      const v = views[k];
      const local = leaf - s.first;
      if (k !== 0) {
        for (let n = pos; n < pos + rows; n++) {
          const from = s0.x / 4 + index[s0.order / 4 + n] * i;
          v.f32.set(zero.f32.subarray(from, from + i), s.x / 4 + n * i);
          v.i32[s.leafOf / 4 + n] = local;
        }
      }
      if (desc.small) {
        v.kernels.fff_leaves(s.desc, pos, pos + rows);
      } else {
        const hRows = s.hRows[thread];
        v.kernels.gemm(s.xRows + pos * 4, rows, i, s.w1 + local * w1Bytes, lPanels, s.b1 + local * lPad * 4, hRows, act);
        v.kernels.gemm(hRows, rows, l, s.w2 + local * w2Bytes, oPanels, s.b2 + local * oPad * 4, s.yRows + pos * 4, MODE.bias);
      }
      if (k !== 0) {
        for (let n = pos; n < pos + rows; n++) {
          const from = s.y / 4 + n * oPad;
          zero.f32.set(v.f32.subarray(from, from + o), s0.y / 4 + index[s0.order / 4 + n] * oPad);
        }
      }
    }
  };
}
