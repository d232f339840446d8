/** Types of work.mjs (plain JavaScript, shared with the worker threads). */
import type { KernelExports } from '../wasm/layout.ts';

export declare const TASK: Readonly<{ exit: 1; dense: 2; walk: 3; route: 4; leaves: 5; stream: 6 }>;
export declare const CTL: Readonly<{ gen: 0; task: 1; done: 2; failed: 3; words: 16 }>;
export declare const SLOT_BYTES: number;

export declare function controlBytes(threads: number): number;
export declare function markDone(ctl: Int32Array, thread: number, gen: number): void;
export declare function finishedGeneration(ctl: Int32Array, thread: number): number;
export declare function recordFailure(ctl: Int32Array, thread: number, message: string): void;
export declare function readFailure(ctl: Int32Array, thread: number): string;

/** One memory as a thread sees it: its own instance of the kernels and views of the memory. */
export interface MemoryView {
  kernels: KernelExports;
  f32: Float32Array;
  i32: Int32Array;
  u32: Uint32Array;
}

export declare function instantiateAll(module: WebAssembly.Module, memories: WebAssembly.Memory[]): MemoryView[];
export declare function warmUp(module: WebAssembly.Module): void;

/** A dense kernel, as every thread is told it. Addresses are byte offsets in the one memory. */
export interface DenseDesc {
  kind: 'dense';
  batch: number;
  i: number;
  act: number;
  oPanels: number;
  chunks: { size: number; panels: number; w1: number; b1: number; w2: number }[];
  b2: number;
  /** oPad zeros: the bias of threads other than 0 in the `hidden` split. */
  zeroBias: number;
  xRows: number;
  yRows: number;
  /** `rows`: each thread all chunks over its rows; `hidden`: each thread its chunks over all rows. */
  split: 'rows' | 'hidden';
  threads: {
    /** [first, end) rows (rows split). */
    rows: [number, number];
    /** [first, end) hidden chunks (hidden split). */
    chunks: [number, number];
    /** The thread's hidden-chunk row table. */
    hRows: number;
    /** The thread's output row table (hidden split; thread 0's is yRows). */
    yRows: number;
  }[];
}

/** One memory of an FFF kernel: its leaves and regions (the tree's only in shard 0). */
export interface FffShardDesc {
  first: number;
  count: number;
  x: number;
  y: number;
  /** The GEMM's row tables (0 for small leaves). */
  xRows: number;
  yRows: number;
  w1: number;
  b1: number;
  w2: number;
  b2: number;
  /** Each thread's hidden row table in this memory (none for small leaves). */
  hRows: number[];
  /** Leaf (bucket, during the walk) of each sample; in shards past the first, of each position. */
  leafOf: number;
  /** Sample of each sorted position; in shards past the first, position n is row n. */
  order: number;
  /** The kernels' descriptor of this memory (src/backends/wasm/abi.mjs). */
  desc: number;
}

export interface FffDesc {
  kind: 'fff';
  batch: number;
  i: number;
  o: number;
  l: number;
  lPad: number;
  oPad: number;
  act: number;
  depth: number;
  /** Levels of the walk's first phase. */
  top: number;
  /** Leaves narrower than a GEMM panel: fff_route / fff_leaves run them, not the GEMM. */
  small: boolean;
  lPanels: number;
  oPanels: number;
  w1Bytes: number;
  w2Bytes: number;
  /** Leaves in shard 0; leaves per later shard. */
  inFirst: number;
  perShard: number;
  shards: FffShardDesc[];
  nodeW: number;
  nodeB: number;
  /** The first phase's chunks: rows each, and how many. */
  chunkRows: number;
  chunks: number;
  /**
   * Shard-0 regions of the per-run plan: per-thread [first, count] pairs and the segments of the
   * leaves task; `progress`: two i32 — chunks copied in by the calling thread, chunks claimed.
   */
  plan: { index: number; segments: number; progress: number };
  /** Each thread's [first, end) sorted positions of the route task. */
  route: [number, number][];
}

/** An UltraFastBERT tree: one memory (its regions in the kernels' descriptor, src/backends/wasm/ufb.ts). */
export interface UfbDesc {
  kind: 'ufb';
  batch: number;
  /** The kernels' descriptor (src/backends/wasm/abi.mjs, UFB_DESC_FIELDS). */
  desc: number;
  /** The first phase's chunks: rows each, and how many. */
  chunkRows: number;
  chunks: number;
  /** Two i32: chunks copied in by the calling thread, chunks claimed. */
  progress: number;
  /** Each thread's [first, end) sorted positions of the route task. */
  route: [number, number][];
}

/** The read-bandwidth probe (bandwidth.ts): thread t streams ranges[t] = [byte address, bytes]. */
export interface StreamDesc {
  kind: 'stream';
  ranges: [number, number][];
  /** One f32 per thread: the sum its stream read. */
  sums: number;
}

export type KernelDesc = DenseDesc | FffDesc | UfbDesc | StreamDesc;

export declare function createExecutor(desc: KernelDesc, views: MemoryView[], thread: number): (task: number) => void;
