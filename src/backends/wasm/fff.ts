/**
 * FFF hard inference on the wasm kernels: every sample walks the tree (SIMD dot products against
 * node rows, in wasm), samples are grouped by leaf (counting sort over the batch), then each
 * visited leaf's FF runs once over its group with the packed GEMM — so a leaf's weights are read
 * once per batch. The group's rows are passed as row-address tables: no gather or scatter copies.
 */
import { leafCount, nodeCount } from '../../model/shape.ts';
import type { FffWeights } from '../../model/weights.ts';
import type { Kernel } from '../types.ts';
import { activationMode, Arena, fillRowTable, instantiate, MODE, PANEL, packPanels, readRows, roundUp } from './layout.ts';

export function prepareFff(module: WebAssembly.Module, w: FffWeights, batch: number): Kernel {
  const { inputDim: i, outputDim: o, depth, leafWidth: l, activation } = w.shape;
  const leaves = leafCount(depth);
  const nodes = nodeCount(depth);
  const lPad = roundUp(l, PANEL);
  const oPad = roundUp(o, PANEL);
  const w1Bytes = i * lPad * 4; // one leaf's packed W1
  const w2Bytes = l * oPad * 4; // one leaf's packed W2

  const arena = new Arena();
  const x = arena.alloc('input', batch * i * 4);
  const y = arena.alloc('output', batch * oPad * 4);
  const hidden = arena.alloc('hidden', batch * lPad * 4);
  const xRows = arena.alloc('row tables', batch * 4);
  const yRows = arena.alloc('row tables', batch * 4);
  const hRows = arena.alloc('row tables', batch * 4);
  const leafOf = arena.alloc('leaf of sample', batch * 4);
  const nodeW = arena.alloc('node weights', nodes * i * 4);
  const nodeB = arena.alloc('node biases', nodes * 4);
  const w1 = arena.alloc('packed leaf W1', leaves * w1Bytes);
  const b1 = arena.alloc('leaf b1', leaves * lPad * 4);
  const w2 = arena.alloc('packed leaf W2', leaves * w2Bytes);
  const b2 = arena.alloc('leaf b2', leaves * oPad * 4);
  const memory = arena.createMemory(`FFF i=${i} o=${o} depth=${depth} leaf=${l} batch=${batch}`);
  const { kernels, f32, u32 } = instantiate(module, memory);

  f32.set(w.nodeWeights, nodeW / 4);
  f32.set(w.nodeBias, nodeB / 4);
  for (let leaf = 0; leaf < leaves; leaf++) {
    packPanels(f32, w1 + leaf * w1Bytes, w.leafW1, i, l, l, leaf * i);
    f32.set(w.leafB1.subarray(leaf * l, (leaf + 1) * l), b1 / 4 + leaf * lPad);
    packPanels(f32, w2 + leaf * w2Bytes, w.leafW2, l, o, o, leaf * l);
    f32.set(w.leafB2.subarray(leaf * o, (leaf + 1) * o), b2 / 4 + leaf * oPad);
  }
  fillRowTable(u32, hRows, batch, hidden, lPad * 4);
  const act = activationMode(activation);
  const lPanels = lPad / PANEL;
  const oPanels = oPad / PANEL;

  // Grouping state, reused across runs. Only the leaves this batch visits are touched, so a
  // run costs O(batch) however many leaves the tree has.
  const leafView = new Int32Array(memory.buffer, leafOf, batch);
  const count = new Int32Array(leaves); // samples per leaf, then the leaf's write cursor
  const visited = new Int32Array(batch); // distinct leaves in first-seen order
  const groupStart = new Int32Array(batch);
  const groupSize = new Int32Array(batch);

  return {
    run(input) {
      f32.set(input, x / 4);
      kernels.tree_walk(x, batch, i, nodeW, nodeB, depth, leafOf);
      let groups = 0;
      for (let s = 0; s < batch; s++) {
        const leaf = leafView[s];
        if (count[leaf]++ === 0) visited[groups++] = leaf;
      }
      for (let g = 0, at = 0; g < groups; g++) {
        const leaf = visited[g];
        groupStart[g] = at;
        groupSize[g] = count[leaf];
        count[leaf] = at;
        at += groupSize[g];
      }
      for (let s = 0; s < batch; s++) {
        const n = count[leafView[s]]++;
        u32[xRows / 4 + n] = x + s * i * 4;
        u32[yRows / 4 + n] = y + s * oPad * 4;
      }
      for (let g = 0; g < groups; g++) {
        const leaf = visited[g];
        count[leaf] = 0;
        const rows = groupSize[g];
        const at = groupStart[g] * 4;
        kernels.gemm(xRows + at, rows, i, w1 + leaf * w1Bytes, lPanels, b1 + leaf * lPad * 4, hRows, act);
        kernels.gemm(hRows, rows, l, w2 + leaf * w2Bytes, oPanels, b2 + leaf * oPad * 4, yRows + at, MODE.bias);
      }
    },
    output: () => readRows(f32, y, batch, o, oPad),
    dispose() {},
  };
}
