/**
 * The relaxed-SIMD build of the wasm kernels against the plain SIMD128 build in `npm run perf`: the
 * same runtime, the same process, the same weights and inputs, the two timed in alternating rounds
 * (plain first in odd rounds, relaxed first in even ones) so that a machine drifting during the run
 * moves both. Two shapes of suites/perf.json (their one home): the wasm dense GEMM at width 4096,
 * batch 256 (throughput), and the FFF at d = 12, batch 256. Each build's output is checked against
 * the float64 reference before it is timed.
 */
import { prepareDense } from '../../src/backends/wasm/dense.ts';
import { prepareFff } from '../../src/backends/wasm/fff.ts';
import { chooseVariant, SIMD_VARIANTS, type SimdVariant } from '../../src/backends/wasm/simd-variant.ts';
import type { Kernel } from '../../src/backends/types.ts';
import { checkOutput } from '../../src/execute/check.ts';
import { weightSeedOf } from '../../src/execute/run-case.ts';
import { measureCall, type MeasureSettings } from '../../src/measure/measure.ts';
import { flopsPerBatch } from '../../src/measure/roofline.ts';
import { median } from '../../src/measure/stats.ts';
import { deriveSeed, Rng } from '../../src/model/rng.ts';
import type { CaseSpec } from '../../src/model/case.ts';
import { initWeights } from '../../src/model/weights.ts';
import { expandCases } from '../../suites/expand.ts';
import { loadSuite } from '../../suites/load.ts';
import { formatRatio, formatShape, formatTime } from '../../src/text/format.ts';

/** Alternating rounds per build: the median of their medians is what is compared. */
const ROUNDS = 5;

export interface VariantTiming {
  what: string;
  /** Per build: the round medians (ns), in round order. */
  medians: Partial<Record<SimdVariant, number[]>>;
  /** dense: FLOP per call, for GFLOP/s. */
  flops?: number;
}

export type RelaxedComparison = { ok: true; runtime: string; timings: VariantTiming[] } | { ok: false; runtime: string; reason: string };

const runtimeText = () => ('Deno' in globalThis || 'Bun' in globalThis ? 'not Node' : `Node ${process.versions.node}`);

/** The two perf-suite cases on wasm this compares: dense at d = 7, batch 256 (width 4096), and the FFF at d = 12, batch 256. */
function perfCases(): { cases: (CaseSpec & { model: 'dense' | 'fff' })[]; seed: number; measurement: MeasureSettings } {
  const { suite, file } = loadSuite('perf');
  const all = expandCases(suite, file, ['wasm']);
  const pick = <M extends 'dense' | 'fff'>(model: M, depth: number) =>
    all.find((c): c is CaseSpec & { model: M } => c.model === model && c.shape.depth === depth && c.shape.batchSize === 256 && c.shape.tree === undefined);
  const cases = [pick('dense', 7), pick('fff', 12)].filter((c) => c !== undefined);
  return { cases, seed: suite.seed, measurement: suite.measurement };
}

export async function compareRelaxedWithPlain(rounds = ROUNDS): Promise<RelaxedComparison> {
  const runtime = runtimeText();
  const modules = new Map<SimdVariant, WebAssembly.Module>();
  for (const variant of SIMD_VARIANTS) {
    const choice = chooseVariant(false, variant);
    if (!choice.ok)
      return { ok: false, runtime, reason: variant === 'relaxed' ? 'this engine does not validate relaxed SIMD (f32x4.relaxed_madd)' : choice.reason };
    modules.set(variant, await WebAssembly.compile(choice.bytes));
  }
  const { cases, seed, measurement } = perfCases();
  if (cases.length < 2)
    return { ok: false, runtime, reason: 'suites/perf.json no longer has the wasm dense case at d = 7, batch 256 and the FFF case at d = 12, batch 256' };
  const timings: VariantTiming[] = [];
  for (const c of cases) {
    const weights = initWeights(c.model, c.shape, weightSeedOf(seed, c.model, c.shape));
    const batch = c.shape.batchSize;
    const input = new Rng(deriveSeed(seed, 'relaxed vs plain')).fillUniform(new Float32Array(batch * c.shape.inputDim), 1);
    const kernels = new Map<SimdVariant, Kernel>();
    try {
      for (const [variant, module] of modules) {
        const kernel =
          weights.kind === 'dense' ? prepareDense(module, weights, batch) : weights.kind === 'fff' ? prepareFff(module, weights, batch) : undefined;
        if (!kernel) return { ok: false, runtime, reason: `no ${weights.kind} kernel here` };
        kernels.set(variant, kernel);
        await kernel.run(input);
        const check = checkOutput(weights, input, await kernel.output(), batch);
        if (!check.ok)
          return {
            ok: false,
            runtime,
            reason: `the ${variant} build's ${c.model} output differs from the float64 reference: max error ${check.maxRelError.toExponential(2)}`,
          };
      }
      const timing: VariantTiming = {
        what: `wasm ${c.model} ${formatShape(c.shape)}`,
        medians: {},
        ...(c.model === 'dense' ? { flops: flopsPerBatch('dense', c.shape) } : {}),
      };
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? SIMD_VARIANTS.slice().reverse() : [...SIMD_VARIANTS];
        for (const variant of order) {
          const kernel = kernels.get(variant)!;
          const t0 = performance.now();
          await kernel.run(input);
          const stats = await measureCall(() => kernel.run(input), measurement, (performance.now() - t0) * 1e6);
          (timing.medians[variant] ??= []).push(stats.median);
        }
      }
      timings.push(timing);
    } finally {
      for (const k of kernels.values()) await k.dispose();
    }
  }
  return { ok: true, runtime, timings };
}

/** The lines `npm run perf` prints. */
export function relaxedLines(r: RelaxedComparison): string[] {
  if (!r.ok) return [`  not measured on ${r.runtime}: ${r.reason}`];
  return r.timings.map((t) => {
    const [relaxed, plain] = [median(t.medians.relaxed!), median(t.medians.plain!)];
    const rate = (ns: number) => (t.flops ? `${(t.flops / ns).toFixed(1)} GFLOP/s` : formatTime(ns));
    const rounds = (v: SimdVariant) => t.medians[v]!.map((ns) => (t.flops ? (t.flops / ns).toFixed(1) : formatTime(ns))).join(', ');
    return `  ${t.what}: relaxed ${rate(relaxed)}, plain ${rate(plain)}: relaxed ${formatRatio(plain / relaxed)} as fast (median of ${t.medians.relaxed!.length} alternating rounds each; rounds relaxed ${rounds('relaxed')}, plain ${rounds('plain')})`;
  });
}
