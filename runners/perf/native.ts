/**
 * Issue 25's targets in `npm run perf`: the native backend's C kernels against their memory floors
 * (the FFF at i = o = 768, ℓ = 32, d = 12, batch 256 and 1; UltraFastBERT's tree at d = 11, batch
 * 16384; the FFF at Table 1's MNIST shape, also against wasm-mt), then wasm-mt against native on the
 * same algorithm and threads: what WebAssembly's vectors cost against the CPU's own. Ratios within
 * one results file (suites/perf.json).
 */
import { formatRatio, formatTime } from '../../src/text/format.ts';
import type { Result, ResultsFile } from '../../src/results/schema.ts';

export interface Target {
  text: string;
  met: boolean | undefined;
  detail: string;
}

const find = (file: ResultsFile, backend: string, model: string, depth: number, batch: number, inputDim = 768): Result | undefined =>
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
export function targetsNative(file: ResultsFile): Target[] {
  const out: Target[] = [];
  const native = (model: string, depth: number, batch: number, inputDim = 768) => find(file, 'native', model, depth, batch, inputDim);
  const isa = file.results.find((r) => r.backend.name === 'native')?.backend.version;
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
