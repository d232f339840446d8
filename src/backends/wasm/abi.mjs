/**
 * What the tree kernels (kernels/tree.wat, leaves.wat, ufb.wat) read besides their arguments, and
 * the warm-up that calls every kernel: one home for the wasm backend and wasm-mt's worker threads,
 * which load plain JavaScript. Types: abi.d.mts.
 */
import { MODE } from './modes.mjs';

/** The descriptor fff_route and fff_leaves read: one i32 per field, at byte offset 4 × index (kernels/tree.wat). */
export const DESC_FIELDS = Object.freeze(['x', 'i', 'nodes', 'nodeBias', 'top', 'depth', 'leafOf', 'order', 'y', 'oPad', 'l', 'w1', 'b1', 'w2', 'b2', 'act']);
export const DESC_BYTES = DESC_FIELDS.length * 4;

/** Writes descriptor `desc` (every field of DESC_FIELDS) at byte address `at`. */
export function writeDescriptor(i32, at, desc) {
  write(i32, at, desc, DESC_FIELDS, 'FFF');
}

/** The descriptor ufb_top and ufb_route read (kernels/ufb.wat). */
export const UFB_DESC_FIELDS = Object.freeze(['x', 'i', 'nodeIn', 'nodeOut', 'top', 'levels', 'nodeOf', 'order', 'y', 'oPad', 'h', 'act']);
export const UFB_DESC_BYTES = UFB_DESC_FIELDS.length * 4;

/** Writes descriptor `desc` (every field of UFB_DESC_FIELDS) at byte address `at`. */
export function writeUfbDescriptor(i32, at, desc) {
  write(i32, at, desc, UFB_DESC_FIELDS, 'UltraFastBERT');
}

function write(i32, at, desc, fields, what) {
  fields.forEach((field, k) => {
    if (!Number.isInteger(desc[field])) throw new Error(`${what} descriptor: field ${field} is ${desc[field]}`);
    i32[at / 4 + k] = desc[field];
  });
}

/** Bytes from `base` that warmUpKernels uses. */
export const WARM_UP_BYTES = 16 * 1024;

/**
 * Calls every kernel on a tiny problem placed at `base` (zero-filled memory): a 5 × 24 GEMM in
 * every epilogue mode, a depth-3 walk in one phase and in two, small leaves of width 2, a depth-2
 * UltraFastBERT tree in two phases. V8 first
 * runs wasm functions from its baseline compiler and moves hot ones to the optimizing tier in the
 * background; doing this at init means a case is not partly timed on baseline code (several
 * times slower), even when another library's large module is compiling in the same process.
 */
export function warmUpKernels(kernels, i32, base) {
  const rows = 5,
    k = 24,
    panels = 2,
    depth = 3,
    l = 2,
    oPad = 16,
    leaves = 2 ** depth;
  let top = base;
  const alloc = (bytes) => {
    const at = top;
    top += Math.ceil(bytes / 64) * 64;
    return at;
  };
  const a = alloc(rows * k * 4),
    b = alloc(k * panels * 32),
    bias = alloc(panels * 32),
    c = alloc(rows * panels * 32);
  const aRows = alloc(rows * 4),
    cRows = alloc(rows * 4);
  const nodes = alloc((leaves - 1) * k * 4),
    nodeBias = alloc(leaves * 4),
    leafOf = alloc(rows * 4),
    order = alloc(rows * 4),
    desc = alloc(DESC_BYTES);
  const w1 = alloc(leaves * l * k * 4),
    b1 = alloc(leaves * l * 4),
    w2 = alloc(leaves * l * oPad * 4),
    b2 = alloc(leaves * oPad * 4),
    y = alloc(rows * oPad * 4);
  // UltraFastBERT: depth 2 (3 levels, 7 nodes), one level in the first phase; oPad 40 runs both column widths
  const levels = 3,
    uo = 40,
    nodeOut = alloc(7 * uo * 4),
    uy = alloc(rows * uo * 4),
    h = alloc(rows * levels * 8),
    ufbDesc = alloc(UFB_DESC_BYTES);
  if (top - base > WARM_UP_BYTES) throw new Error(`warm-up needs ${top - base} bytes, over WARM_UP_BYTES`);
  for (let r = 0; r < rows; r++) {
    i32[aRows / 4 + r] = a + r * k * 4;
    i32[cRows / 4 + r] = c + r * panels * 32;
    i32[order / 4 + r] = r;
  }
  writeDescriptor(i32, desc, { x: a, i: k, nodes, nodeBias, top: 1, depth, leafOf, order, y, oPad, l, w1, b1, w2, b2, act: MODE.gelu });
  writeUfbDescriptor(i32, ufbDesc, { x: a, i: k, nodeIn: nodes, nodeOut, top: 1, levels, nodeOf: leafOf, order, y: uy, oPad: uo, h, act: MODE.gelu });
  for (let n = 0; n < 200; n++) {
    for (const mode of Object.values(MODE)) kernels.gemm(aRows, rows, k, b, panels, bias, cRows, mode);
    kernels.tree_walk(a, rows, k, nodes, nodeBias, 1, leafOf);
    kernels.fff_route(desc, 0, rows, 1);
    kernels.fff_leaves(desc, 0, rows);
    kernels.ufb_top(ufbDesc, 0, rows);
    kernels.ufb_route(ufbDesc, 0, rows);
  }
}
