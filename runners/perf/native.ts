/**
 * Issue 25's targets in `npm run perf`: the native backend's C kernels against their memory floors
 * (the FFF at i = o = 768, ℓ = 32, d = 12, batch 256 and 1; UltraFastBERT's tree at d = 11, batch
 * 16384; the FFF at Table 1's MNIST shape, also against wasm-mt), then wasm-mt against native on the
 * same algorithm and threads: what WebAssembly's vectors cost against the CPU's own. Ratios within
 * one results file (suites/perf.json). The UltraFastBERT and MNIST cases are also timed on their
 * best case (one-path.ts), which tells a kernel's own cost from the tree's memory traffic.
 */
import { formatRatio, formatTime } from '../../src/text/format.ts';
import type { Result, ResultsFile } from '../../src/results/schema.ts';
import type { OnePathTiming } from './one-path.ts';

export interface Target {
  text: string;
  met: boolean | undefined;
  detail: string;
}

/** The ok result of `backend` running `model` at `depth` and `batch` (i = 768 unless said), if the run has one. */
export const find = (file: ResultsFile, backend: string, model: string, depth: number, batch: number, inputDim = 768): Result | undefined =>
  file.results.find(
    (r) =>
      r.backend.name === backend &&
      r.model === model &&
      r.shape.depth === depth &&
      r.shape.batchSize === batch &&
      r.shape.inputDim === inputDim &&
      r.status === 'ok' &&
      r.stats,
  );

/** "median against a floor of F (N.NNx; bytes at bandwidth)", or 'not measured'. */
function againstFloor(file: ResultsFile, r: Result | undefined): string {
  if (!r?.roofline) return 'not measured';
  const f = r.roofline;
  const bandwidth = file.machine.calibration?.[r.runtime.name]?.readBandwidth;
  return `${formatTime(r.stats!.median)} against a floor of ${formatTime(f.floorNs)} (${f.multiple.toFixed(2)}x; ${(f.bytes / 1e6).toFixed(2)} MB${bandwidth ? ` at ${(bandwidth / 1e9).toFixed(1)} GB/s` : ''})`;
}

/**
 * Issue 25: the native backend's C kernels against their floors, and against wasm-mt's WebAssembly
 * on the same algorithm and threads (the cross-runtime finding: what WebAssembly's vectors cost).
 */
/**
 * The same kernel on its best case against the case's floor and target: whether the target is
 * within reach of this design (the miss is the node rows each sample reads from the caches, which
 * the DRAM floor does not count) or not even there (its instructions, input and output bound it).
 */
function onePathLine(r: Result | undefined, onePath: OnePathTiming, limit: number): Target {
  const text = 'the same kernel and weights on its best case, one input row repeated (every sample on one path: each node row shared by all lanes and in L1)';
  if (!onePath.ok) return { text, met: undefined, detail: `not measured: ${onePath.reason}` };
  const { median, ciLow, ciHigh } = onePath.stats;
  const floor = r?.roofline?.floorNs;
  const multiple = floor ? median / floor : undefined;
  const verdict =
    multiple === undefined
      ? ''
      : multiple > limit
        ? `: over ${limit}x even with every node row in L1, so no order of the tree's reads meets the target; the kernel's instructions and its input and output bound it`
        : r && r.roofline!.multiple > limit
          ? `: within ${limit}x with the tree's rows in L1, so on random inputs what misses it is the node rows each sample reads from the caches, a different row at each deep level (bytes the DRAM floor does not count)`
          : '';
  return {
    text,
    met: undefined,
    detail: `${formatTime(median)} [${formatTime(ciLow)}, ${formatTime(ciHigh)}] on ${onePath.threads} thread(s)${multiple === undefined ? '' : ` (${multiple.toFixed(2)}x the floor above${verdict})`}`,
  };
}

export function targetsNative(file: ResultsFile, onePath: { ufb: OnePathTiming; mnist: OnePathTiming }): Target[] {
  const out: Target[] = [];
  const native = (model: string, depth: number, batch: number, inputDim = 768) => find(file, 'native', model, depth, batch, inputDim);
  // the backend's version reads "1 (avx512f)": its kernels' version, then the vector ISA they were built for
  const isa = file.results.find((r) => r.backend.name === 'native')?.backend.version.match(/\((.+)\)$/)?.[1];
  const on = (r: Result | undefined) => (r ? ` on ${r.backend.threads} thread(s)` : '');
  for (const [batch, limit] of [
    [256, 1.2],
    [1, 1.5],
  ] as const) {
    const r = native('fff', 12, batch);
    out.push({
      text: `native FFF (i = o = 768, ℓ = 32, d = 12, batch ${batch})${on(r)} within ${limit}x of its memory floor`,
      met: r?.roofline ? r.roofline.multiple <= limit : undefined,
      detail: againstFloor(file, r),
    });
  }
  const ufb = native('ufb', 11, 16384);
  out.push({
    text: `native UltraFastBERT tree (d = 11, batch 16384)${on(ufb)} within 1.5x of its memory floor`,
    met: ufb?.roofline ? ufb.roofline.multiple <= 1.5 : undefined,
    detail: againstFloor(file, ufb),
  });
  out.push(onePathLine(ufb, onePath.ufb, 1.5));
  const mnist = native('fff', 7, 2048, 784);
  const mnistMt = find(file, 'wasm-mt', 'fff', 7, 2048, 784);
  out.push({
    text: `native FFF at Table 1's MNIST shape (i = 784, o = 10, ℓ = 1, d = 7, batch 2048)${on(mnist)} ≥ 2.5x faster than wasm-mt`,
    met: mnist && mnistMt ? mnistMt.stats!.median / mnist.stats!.median >= 2.5 : undefined,
    detail:
      mnist && mnistMt
        ? `${formatTime(mnist.stats!.median)} vs ${formatTime(mnistMt.stats!.median)} (${formatRatio(mnistMt.stats!.median / mnist.stats!.median)})`
        : 'not measured',
  });
  out.push({
    text: `native FFF at the MNIST shape within 2x of its memory floor`,
    met: mnist?.roofline ? mnist.roofline.multiple <= 2 : undefined,
    detail: againstFloor(file, mnist),
  });
  out.push(onePathLine(mnist, onePath.mnist, 2));
  // the same algorithm in WebAssembly (wasm-mt) and in C (native), same threads where both ran threaded
  const pairs: [string, Result | undefined, Result | undefined][] = [
    ['FFF ℓ = 32, d = 12, batch 256', find(file, 'wasm-mt', 'fff', 12, 256), native('fff', 12, 256)],
    ['FFF ℓ = 32, d = 12, batch 1', find(file, 'wasm-mt', 'fff', 12, 1), native('fff', 12, 1)],
    ['FFF MNIST shape, batch 2048', mnistMt, mnist],
    ['UltraFastBERT tree d = 11, batch 16384', find(file, 'wasm-mt', 'ufb', 11, 16384), ufb],
  ];
  for (const [what, wasm, c] of pairs) {
    out.push({
      text: `${what}: wasm-mt (WebAssembly SIMD128) against native (C, ${isa ?? 'not built'})`,
      met: undefined,
      detail:
        wasm && c
          ? `${formatTime(wasm.stats!.median)} on ${wasm.backend.threads} thread(s) vs ${formatTime(c.stats!.median)} on ${c.backend.threads}: native ${formatRatio(wasm.stats!.median / c.stats!.median)} as fast${wasm.roofline && c.roofline ? ` (${wasm.roofline.multiple.toFixed(2)}x and ${c.roofline.multiple.toFixed(2)}x their floor)` : ''}`
          : 'not measured',
    });
  }
  return out;
}
