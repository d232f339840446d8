/**
 * TensorFlow.js on its WebAssembly backend (@tensorflow/tfjs-backend-wasm: XNNPACK kernels,
 * SIMD where the runtime validates it; single-threaded in Node, Deno and Bun, where the package
 * disables its threaded binary).
 *
 * Dense: tf.fused.matMul(x, W1, b1, relu) then tf.fused.matMul(h, W2, b2) — XNNPACK's fully
 * connected operator, weights packed once per weight tensor. W is kept i×W: transposeB=true
 * took the slow path, 11x slower. GELU is the exact erf form built from tf ops (tf.erf on this
 * backend is within 5e-8 of the float64 erf over [-10, 10]).
 *
 * FFF, "leaf grouping": tfjs-backend-wasm's GatherV2 costs ~60 ns per element (12 ms to gather
 * 256 node rows of 768), so neither the tree walk nor the leaves use tf.gather:
 *  - tree walk, one level at a time: the current node of every sample is known in JS, so the
 *    node rows are assembled with tf.concat of per-node row tensors (a memcpy), then
 *    score = sum(x̃ · row̃) with x̃ = [x, 1] and row̃ = [w, b]; scores are read back and each
 *    sample steps to child 2k+1 or 2k+2.
 *  - leaves: samples are grouped by leaf (counting sort) and each distinct leaf runs its FF
 *    once on its group with two fused matMuls against that leaf's own weight tensors.
 * The alternative (concat each sample's leaf weights, then one batched matMul) was measured
 * slower at batch 256, i = o = 768, ℓ = 32: 14 ms to assemble and multiply W1 alone against
 * 17 ms for all 256 leaf FFs, because tfjs-wasm's batched matMul is not XNNPACK's.
 * The per-leaf cost is mostly tfjs's per-op overhead (~30 µs). Calling the _FusedMatMul kernel
 * through tf.engine().runKernel would save about a third of it, but that bypasses the public
 * op API and the kernel corrupts memory when given rank-2 inputs, so the public ops are used.
 */
import { accessSync, constants as fsConstants } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TfCore from '@tensorflow/tfjs-core';
import type { Activation } from '../../model/activation.ts';
import { leafCount, nodeCount } from '../../model/shape.ts';
import type { DenseWeights, FffWeights, Weights } from '../../model/weights.ts';
import { CaseTooLarge, type Availability, type Backend, type BackendInfo, type Kernel } from '../types.ts';

type Tf = typeof TfCore;
type Tensor = TfCore.Tensor;
type Tensor2D = TfCore.Tensor2D;

/** The wasm32 heap tops out at 4 GiB; XNNPACK keeps a packed copy of every weight matrix. */
const HEAP_LIMIT_BYTES = 4 * 2 ** 30;

interface Loaded {
  tf: Tf;
  coreVersion: string;
  wasmVersion: string;
  simd: boolean;
  threads: number;
}

/** Where the package's .wasm binaries are: next to its Node entry point (dist/). */
export function defaultWasmDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/');
}

const reasonOf = (err: unknown) => (err as Error)?.message ?? String(err);

/**
 * Loads tfjs and switches it to the wasm backend. Fails with the specific cause, and never
 * leaves tfjs on another backend: tf.setBackend('wasm') only warns and returns false.
 */
async function load(wasmDir: string | undefined): Promise<{ ok: true; loaded: Loaded } | { ok: false; reason: string }> {
  let tf: Tf;
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    tf = await import('@tensorflow/tfjs-core');
    wasm = await import('@tensorflow/tfjs-backend-wasm');
  } catch (err) {
    return { ok: false, reason: `cannot load @tensorflow/tfjs-core / @tensorflow/tfjs-backend-wasm: ${reasonOf(err)}` };
  }
  if (typeof WebAssembly === 'undefined') return { ok: false, reason: 'this runtime has no WebAssembly' };
  let dir: string;
  try {
    dir = wasmDir ?? defaultWasmDir();
  } catch (err) {
    return { ok: false, reason: `cannot locate the tfjs-backend-wasm package to find its .wasm files: ${reasonOf(err)}` };
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  // The binary tfjs will pick: threaded builds are never chosen outside browsers.
  const binary = join(dir, simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm');
  try {
    accessSync(binary, fsConstants.R_OK);
  } catch (err) {
    const denied = /read access|NotCapable|PermissionDenied|EACCES/i.test(reasonOf(err));
    return { ok: false, reason: `cannot read ${binary} (${reasonOf(err)})${denied ? '; Deno needs --allow-read' : ''}` };
  }
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.map((a) => (typeof a === 'string' ? a : reasonOf(a))).join(' '));
  let switched: boolean;
  try {
    wasm.setWasmPaths(dir);
    switched = await tf.setBackend('wasm');
  } catch (err) {
    return { ok: false, reason: `tf.setBackend('wasm') threw: ${reasonOf(err)}` };
  } finally {
    console.warn = warn;
  }
  // Both checks are needed: after a failed start tf.getBackend() still says "wasm".
  if (!switched) {
    return { ok: false, reason: `tf.setBackend('wasm') returned false: ${warnings.length ? warnings.join('; ') : 'no warning given'}` };
  }
  if (tf.getBackend() !== 'wasm') return { ok: false, reason: `tfjs is on the "${tf.getBackend()}" backend after tf.setBackend('wasm')` };
  tf.enableProdMode();
  return {
    ok: true,
    loaded: { tf, coreVersion: tf.version_core, wasmVersion: wasm.version_wasm, simd, threads: wasm.getThreadsCount() },
  };
}

/** Exact GELU, x/2 · (1 + erf(x/√2)), in tf ops. */
function gelu(tf: Tf, pre: Tensor): Tensor {
  return tf.mul(tf.mul(pre, 0.5), tf.add(1, tf.erf(tf.mul(pre, Math.SQRT1_2))));
}

/** y = act(x·W1 + b1)·W2 + b2 for one batch of rows, ReLU fused into the first matMul. */
function feedForward(tf: Tf, x: Tensor, w1: Tensor2D, b1: Tensor, w2: Tensor2D, b2: Tensor, act: Activation): Tensor {
  const hidden = act === 'relu' ? tf.fused.matMul({ a: x, b: w1, bias: b1, activation: 'relu' }) : gelu(tf, tf.fused.matMul({ a: x, b: w1, bias: b1 }));
  return tf.fused.matMul({ a: hidden, b: w2, bias: b2 });
}

function assertFitsHeap(weights: FffWeights | DenseWeights): void {
  const bytes =
    weights.kind === 'dense'
      ? 4 * (weights.w1.length + weights.b1.length + weights.w2.length + weights.b2.length)
      : 4 *
        (weights.nodeWeights.length + weights.nodeBias.length + weights.leafW1.length + weights.leafB1.length + weights.leafW2.length + weights.leafB2.length);
  if (2 * bytes > HEAP_LIMIT_BYTES * 0.9) {
    throw new CaseTooLarge(`weights need ${(bytes / 2 ** 20).toFixed(0)} MiB, twice that with XNNPACK's packed copies: over the 4 GiB wasm32 heap`);
  }
}

function prepareDense(tf: Tf, w: DenseWeights, batch: number): Kernel {
  const { inputDim: i, outputDim: o, activation } = w.shape;
  const W = w.width;
  const w1 = tf.tensor2d(w.w1, [i, W]);
  const b1 = tf.tensor1d(w.b1);
  const w2 = tf.tensor2d(w.w2, [W, o]);
  const b2 = tf.tensor1d(w.b2);
  let out: Float32Array = new Float32Array(batch * o);
  const kernel: Kernel = {
    run(input) {
      const y = tf.tidy(() => feedForward(tf, tf.tensor2d(input, [batch, i]), w1, b1, w2, b2, activation));
      out = y.dataSync() as Float32Array; // waits for the result: the timing covers the computation
      y.dispose();
    },
    output: () => out,
    dispose() {
      tf.dispose([w1, b1, w2, b2]);
    },
  };
  // Let XNNPACK pack the weights now rather than in the first measured call.
  kernel.run(new Float32Array(batch * i));
  return kernel;
}

function prepareFff(tf: Tf, w: FffWeights, batch: number): Kernel {
  const { inputDim: i, outputDim: o, depth, leafWidth: l, activation } = w.shape;
  const leaves = leafCount(depth);
  const firstLeaf = nodeCount(depth);
  // Node k as one row [w_k, b_k], so that a score is one dot product with [x, 1].
  const nodeRows: Tensor2D[] = [];
  for (let k = 0; k < nodeCount(depth); k++) {
    const row = new Float32Array(i + 1);
    row.set(w.nodeWeights.subarray(k * i, (k + 1) * i));
    row[i] = w.nodeBias[k];
    nodeRows.push(tf.tensor2d(row, [1, i + 1]));
  }
  // One tensor per leaf parameter: a leaf's FF then needs no slicing or gathering.
  const leafParams = Array.from({ length: leaves }, (_, leaf) => ({
    w1: tf.tensor2d(w.leafW1.subarray(leaf * i * l, (leaf + 1) * i * l), [i, l]),
    b1: tf.tensor1d(w.leafB1.subarray(leaf * l, (leaf + 1) * l)),
    w2: tf.tensor2d(w.leafW2.subarray(leaf * l * o, (leaf + 1) * l * o), [l, o]),
    b2: tf.tensor1d(w.leafB2.subarray(leaf * o, (leaf + 1) * o)),
  }));

  const xAug = new Float32Array(batch * (i + 1));
  const node = new Int32Array(batch);
  const groupStart = new Int32Array(leaves + 1);
  const order = new Int32Array(batch);
  const groupedX = new Float32Array(batch * i);
  const out = new Float32Array(batch * o);

  /** Leaf index of every sample, into `node` (as leaf numbers 0..2^d−1). */
  function walkTree(input: Float32Array): void {
    node.fill(0);
    if (depth > 0) {
      for (let s = 0; s < batch; s++) {
        xAug.set(input.subarray(s * i, (s + 1) * i), s * (i + 1));
        xAug[s * (i + 1) + i] = 1;
      }
      const x = tf.tensor2d(xAug, [batch, i + 1]);
      for (let level = 0; level < depth; level++) {
        const scores = tf.tidy(() => {
          const rows = batch === 1 ? nodeRows[node[0]] : tf.concat(Array.from(node, (k) => nodeRows[k]));
          return tf.sum(tf.mul(x, rows), 1);
        });
        const values = scores.dataSync();
        scores.dispose();
        for (let s = 0; s < batch; s++) node[s] = 2 * node[s] + (values[s] >= 0 ? 2 : 1);
      }
      x.dispose();
    }
    for (let s = 0; s < batch; s++) node[s] -= firstLeaf;
  }

  function runLeaf(leaf: number, x: Tensor2D): Float32Array {
    const p = leafParams[leaf];
    const y = tf.tidy(() => feedForward(tf, x, p.w1, p.b1, p.w2, p.b2, activation));
    const values = y.dataSync() as Float32Array;
    y.dispose();
    return values;
  }

  const kernel: Kernel = {
    run(input) {
      walkTree(input);
      // Counting sort of the samples by leaf; their rows are copied together per leaf.
      groupStart.fill(0);
      for (let s = 0; s < batch; s++) groupStart[node[s] + 1]++;
      for (let leaf = 0; leaf < leaves; leaf++) groupStart[leaf + 1] += groupStart[leaf];
      const next = groupStart.slice(0, leaves);
      for (let s = 0; s < batch; s++) order[next[node[s]]++] = s;
      for (let n = 0; n < batch; n++) groupedX.set(input.subarray(order[n] * i, (order[n] + 1) * i), n * i);
      for (let leaf = 0; leaf < leaves; leaf++) {
        const start = groupStart[leaf];
        const count = groupStart[leaf + 1] - start;
        if (count === 0) continue;
        const x = tf.tensor2d(groupedX.subarray(start * i, (start + count) * i), [count, i]);
        const y = runLeaf(leaf, x);
        x.dispose();
        for (let n = 0; n < count; n++) out.set(y.subarray(n * o, (n + 1) * o), order[start + n] * o);
      }
    },
    output: () => out,
    dispose() {
      tf.dispose(nodeRows);
      for (const p of leafParams) tf.dispose([p.w1, p.b1, p.w2, p.b2]);
    },
  };
  // Let XNNPACK pack every leaf's weights now rather than in measured calls.
  const zeroRow = tf.zeros([1, i]) as Tensor2D;
  for (let leaf = 0; leaf < leaves; leaf++) runLeaf(leaf, zeroRow);
  zeroRow.dispose();
  return kernel;
}

/** The backend; `wasmDir` overrides where the .wasm binaries are looked for (tests use it). */
export function createTfjsWasmBackend(options: { wasmDir?: string } = {}): Backend {
  let loaded: Loaded | undefined;
  let availability: Promise<Availability> | undefined;
  return {
    name: 'tfjs-wasm',
    init() {
      // tfjs keeps one global engine, and a failed wasm start cannot be retried: load once.
      availability ??= load(options.wasmDir).then((r) => {
        if (!r.ok) return r;
        loaded = r.loaded;
        return { ok: true };
      });
      return availability;
    },
    info(): BackendInfo {
      return {
        name: 'tfjs-wasm',
        version: loaded ? `tfjs-core ${loaded.coreVersion}, tfjs-backend-wasm ${loaded.wasmVersion}` : 'not loaded',
        threads: loaded?.threads ?? 1,
        denseKernel: 'tf.fused.matMul (XNNPACK fully connected) with bias and ReLU fused; GELU as exact-erf tf ops',
        fffStrategy:
          'tree walk level by level (node rows assembled with tf.concat, scores by tf.mul + tf.sum, read back), then samples grouped by leaf: one pair of fused matMuls per distinct leaf',
        notes: loaded
          ? `SIMD ${loaded.simd ? 'on' : 'off'}; ${loaded.threads} thread (tfjs-backend-wasm uses its threaded build only in browsers); prod mode`
          : undefined,
      };
    },
    async prepare(weights: Weights, batchSize: number) {
      if (!loaded) throw new Error('tfjs-wasm: prepare() before a successful init()');
      const { tf } = loaded;
      if (tf.getBackend() !== 'wasm') throw new Error(`tfjs is on the "${tf.getBackend()}" backend, not wasm`);
      // No `models` field: run-case skips UltraFastBERT cases before they reach here.
      if (weights.kind === 'ufb') throw new Error('tfjs-wasm has no ufb kernel');
      assertFitsHeap(weights);
      return weights.kind === 'dense' ? prepareDense(tf, weights, batchSize) : prepareFff(tf, weights, batchSize);
    },
  };
}

export const tfjsWasmBackend = createTfjsWasmBackend();
