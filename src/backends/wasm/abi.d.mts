/** Types of abi.mjs. */
import type { KernelExports } from './layout.ts';

export declare const DESC_FIELDS: readonly ['x', 'i', 'nodes', 'nodeBias', 'top', 'depth', 'leafOf', 'order', 'y', 'oPad', 'l', 'w1', 'b1', 'w2', 'b2', 'act'];
export declare const DESC_BYTES: number;
/** Byte addresses and sizes the FFF kernels read (kernels/tree.wat). */
export type FffDescriptor = Record<(typeof DESC_FIELDS)[number], number>;
export declare function writeDescriptor(i32: Int32Array, at: number, desc: FffDescriptor): void;

export declare const UFB_DESC_FIELDS: readonly ['x', 'i', 'nodeIn', 'nodeOut', 'top', 'levels', 'nodeOf', 'order', 'y', 'oPad', 'h', 'act'];
export declare const UFB_DESC_BYTES: number;
/** Byte addresses and sizes the UltraFastBERT kernels read (kernels/ufb.wat). */
export type UfbDescriptor = Record<(typeof UFB_DESC_FIELDS)[number], number>;
export declare function writeUfbDescriptor(i32: Int32Array, at: number, desc: UfbDescriptor): void;

export declare const WARM_UP_BYTES: number;
export declare function warmUpKernels(kernels: KernelExports, i32: Int32Array, base: number): void;
