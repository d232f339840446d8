/**
 * Dense FF on the wasm kernels. The hidden layer runs in chunks of HIDDEN_CHUNK units:
 * H = act(X·W1[:, chunk] + b1[chunk]) (bias and activation fused into the GEMM's store), then
 * Y += H·W2[chunk, :] — so the hidden activations (batch × 128 floats) stay in cache however
 * wide the layer is. The first chunk stores Y = H·W2 + b2, later ones accumulate.
 */
import type { DenseWeights } from '../../model/weights.ts';
import type { Kernel } from '../types.ts';
import { activationMode, Arena, fillRowTable, instantiate, MODE, PANEL, packPanels, readRows, roundUp } from './layout.ts';

export const HIDDEN_CHUNK = 128;

/** One hidden chunk's packed weights in the memory (byte addresses). */
export interface Chunk {
  size: number;
  panels: number;
  w1: number;
  b1: number;
  w2: number;
}

/** The hidden layer's chunks of HIDDEN_CHUNK units, their packed W1, b1 and W2 placed in `arena`. */
export function allocChunks(arena: Arena, i: number, width: number, oPad: number): Chunk[] {
  const chunks: Chunk[] = [];
  for (let start = 0; start < width; start += HIDDEN_CHUNK) {
    const size = Math.min(HIDDEN_CHUNK, width - start);
    const panels = Math.ceil(size / PANEL);
    chunks.push({
      size,
      panels,
      w1: arena.alloc('packed W1', i * panels * PANEL * 4),
      b1: arena.alloc('b1', panels * PANEL * 4),
      w2: arena.alloc('packed W2', size * oPad * 4),
    });
  }
  return chunks;
}

/** Packs W1 and W2 into the chunks' 8-column panels and copies b1 (b2 is the caller's). */
export function packChunks(f32: Float32Array, chunks: Chunk[], w: DenseWeights): void {
  const { inputDim: i, outputDim: o } = w.shape;
  let start = 0;
  for (const c of chunks) {
    packPanels(f32, c.w1, w.w1, i, c.size, w.width, 0, start);
    f32.set(w.b1.subarray(start, start + c.size), c.b1 / 4);
    packPanels(f32, c.w2, w.w2, c.size, o, o, start, 0);
    start += c.size;
  }
}

export function prepareDense(module: WebAssembly.Module, w: DenseWeights, batch: number): Kernel {
  const { inputDim: i, outputDim: o, activation } = w.shape;
  const width = w.width;
  const oPad = roundUp(o, PANEL);
  const hiddenStride = Math.min(HIDDEN_CHUNK, roundUp(width, PANEL));

  const arena = new Arena();
  const x = arena.alloc('input', batch * i * 4);
  const y = arena.alloc('output', batch * oPad * 4);
  const hidden = arena.alloc('hidden chunk', batch * hiddenStride * 4);
  const xRows = arena.alloc('row tables', batch * 4);
  const hRows = arena.alloc('row tables', batch * 4);
  const yRows = arena.alloc('row tables', batch * 4);
  const b2 = arena.alloc('b2', oPad * 4);
  const chunks = allocChunks(arena, i, width, oPad);
  const memory = arena.createMemory(`dense i=${i} W=${width} o=${o} batch=${batch}`);
  const { kernels, f32, u32 } = instantiate(module, memory);
  packChunks(f32, chunks, w);
  f32.set(w.b2, b2 / 4);
  fillRowTable(u32, xRows, batch, x, i * 4);
  fillRowTable(u32, hRows, batch, hidden, hiddenStride * 4);
  fillRowTable(u32, yRows, batch, y, oPad * 4);
  const act = activationMode(activation);
  const oPanels = oPad / PANEL;

  return {
    run(input) {
      f32.set(input, x / 4);
      chunks.forEach((c, n) => {
        kernels.gemm(xRows, batch, i, c.w1, c.panels, c.b1, hRows, act);
        kernels.gemm(hRows, batch, c.size, c.w2, oPanels, b2, yRows, n === 0 ? MODE.bias : MODE.accumulate);
      });
    },
    output: () => readRows(f32, y, batch, o, oPad),
    dispose() {},
  };
}
