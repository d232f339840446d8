/**
 * The wasm backend's linear memory: an arena of named regions laid out at prepare time, one
 * WebAssembly.Memory sized to hold them all, and the weight packing the kernels expect.
 */
import { CaseTooLarge } from '../types.ts';
import type { Activation } from '../../model/activation.ts';
import { MODE } from './modes.mjs';
import { formatMiB } from '../../text/format.ts';

/** Columns per packed panel and per micro-tile (two f32x4 vectors). */
export const PANEL = 8;
const PAGE = 65536;
/**
 * wasm32 addresses stop at 4 GiB; one page less keeps every `start + length` end pointer the
 * kernels compute below 2^32 (they compare addresses unsigned).
 */
const MAX_PAGES = 65535;
export const MAX_MEMORY_BYTES = MAX_PAGES * PAGE;
const ALIGN = 64;

/** The exports of kernels/*.wat (see the comments there). Addresses are byte offsets. */
export interface KernelExports {
  gemm(aRows: number, rows: number, k: number, b: number, panels: number, bias: number, cRows: number, mode: number): void;
  tree_walk(x: number, rows: number, i: number, nodes: number, nodeBias: number, depth: number, leafOut: number): void;
  /** Sorted positions from .. to − 1: the rest of each sample's walk, and its small leaf when `leaves` is 1 (desc: fff-layout.ts). */
  fff_route(desc: number, from: number, to: number, leaves: number): void;
  /** Sorted positions from .. to − 1: each sample's small leaf. */
  fff_leaves(desc: number, from: number, to: number): void;
  /** Samples from .. to − 1 in batch order: UltraFastBERT's first phase (desc: abi.mjs, UFB_DESC_FIELDS). */
  ufb_top(desc: number, from: number, to: number): void;
  /** Sorted positions from .. to − 1: the rest of UltraFastBERT's walk and each sample's output. */
  ufb_route(desc: number, from: number, to: number): void;
  stream_read(at: number, bytes: number): number;
}

/** gemm epilogue modes. */
export { MODE };

export function activationMode(act: Activation): number {
  return act === 'relu' ? MODE.relu : MODE.gelu;
}

export function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Hands out 64-byte-aligned byte ranges; nothing is placed at address 0. */
export class Arena {
  private top = ALIGN;
  /** Bytes per region name, for the error message. */
  private readonly regions = new Map<string, number>();

  alloc(name: string, bytes: number): number {
    const at = roundUp(this.top, ALIGN);
    this.top = at + bytes;
    this.regions.set(name, (this.regions.get(name) ?? 0) + bytes);
    return at;
  }

  get size(): number {
    return this.top;
  }

  /**
   * One memory holding every region, or an Error that says what did not fit. `shared`: a shared
   * memory (for the wasm-mt backend's threads); `backend` names the backend in the messages.
   */
  createMemory(what: string, options: { shared?: boolean; backend?: string } = {}): WebAssembly.Memory {
    const pages = Math.ceil(this.top / PAGE);
    const regions = [...this.regions].map(([name, bytes]) => `${name} ${formatMiB(bytes)}`).join(', ');
    const detail = () => `${options.backend ?? 'wasm'} backend: ${what} needs ${formatMiB(this.top)} of memory (${regions})`;
    if (pages > MAX_PAGES) throw new CaseTooLarge(`${detail()}: over the ${formatMiB(MAX_PAGES * PAGE)} a 32-bit wasm memory can address`);
    try {
      return options.shared
        ? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true })
        : new WebAssembly.Memory({ initial: pages, maximum: pages });
    } catch (err) {
      throw new Error(`${detail()}: the runtime could not allocate it (${(err as Error).message})`);
    }
  }
}

/** Instantiates the kernels on `memory`; returns the exports and a float view of the memory. */
export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory) {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { kernels: instance.exports as unknown as KernelExports, f32: new Float32Array(memory.buffer), u32: new Uint32Array(memory.buffer) };
}

/**
 * Packs B (k × n, rows from `row0`, columns from `col0`, row stride ldb) into panels of PANEL
 * columns at byte address `at` in f32: panel p holds, for each q < k, B[q][8p .. 8p+7].
 * Padding columns are left as they are (fresh wasm memory is zero). Returns the bytes written.
 */
export function packPanels(f32: Float32Array, at: number, b: Float32Array, k: number, n: number, ldb: number, row0 = 0, col0 = 0): number {
  const panels = Math.ceil(n / PANEL);
  let w = at / 4;
  for (let p = 0; p < panels; p++) {
    const width = Math.min(PANEL, n - p * PANEL);
    for (let q = 0; q < k; q++, w += PANEL) {
      const from = (row0 + q) * ldb + col0 + p * PANEL;
      for (let c = 0; c < width; c++) f32[w + c] = b[from + c];
    }
  }
  return panels * k * PANEL * 4;
}

/** Fills a table of `rows` row addresses base, base + stride, … at byte address `at`. */
export function fillRowTable(u32: Uint32Array, at: number, rows: number, base: number, strideBytes: number): void {
  for (let r = 0; r < rows; r++) u32[at / 4 + r] = base + r * strideBytes;
}

/** Copies rows × cols floats out of a region whose rows are `stride` floats apart. */
export function readRows(f32: Float32Array, at: number, rows: number, cols: number, stride: number): Float32Array {
  if (cols === stride) return f32.slice(at / 4, at / 4 + rows * cols);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) out.set(f32.subarray(at / 4 + r * stride, at / 4 + r * stride + cols), r * cols);
  return out;
}
