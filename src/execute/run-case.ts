/**
 * Runs one case, runtime-neutral: build weights, check the backend against the float64
 * reference on fresh inputs, then time it. A failed check makes the result `invalid` and
 * nothing is timed.
 */
import { backendModels, CaseTooLarge, type Backend, type Kernel } from '../backends/types.ts';
import { measureCall, type MeasureSettings } from '../measure/measure.ts';
import { bytesTouchedPerSample, macsPerSample, weightBytes } from '../model/cost.ts';
import { deriveSeed, Rng } from '../model/rng.ts';
import { leafCount, type LayerShape, type ModelKind } from '../model/shape.ts';
import type { CaseSpec } from '../model/case.ts';
import { initWeights, type Weights } from '../model/weights.ts';
import type { Result } from '../results/schema.ts';
import { checkOutput } from './check.ts';
import { formatMiB } from '../text/format.ts';

/** Distinct timing inputs are capped at this many bytes. */
export const ROTATION_BYTES = 64 * 2 ** 20;
/** Aim for at least this many distinct samples across the rotation (so many leaves are reached). */
export const ROTATION_SAMPLES = 4096;

export interface CaseContext {
  seed: number;
  measurement: MeasureSettings;
  /** The suite's optional cap on one model's parameter bytes (none by default). */
  maxWeightBytes?: number;
  /** What one case may plan to allocate (see plannedBytes). */
  memoryBudgetBytes: number;
  runtimeVersion: string;
}

export function costOf(c: CaseSpec): Result['cost'] {
  return {
    macsPerSample: macsPerSample(c.model, c.shape),
    weightBytes: weightBytes(c.model, c.shape),
    bytesTouchedPerSample: bytesTouchedPerSample(c.model, c.shape),
  };
}

function randomInputs(count: number, seed: number): Float32Array {
  return new Rng(seed).fillUniform(new Float32Array(count), 1);
}

/**
 * How many distinct input batches the timed calls cycle through. Repeating one batch would keep
 * the FFF's few leaves in cache and flatter it; the dense weights never fit, so it would gain nothing.
 */
export function rotationBatches(c: CaseSpec): number {
  const { batchSize, inputDim } = c.shape;
  const wanted = Math.max(4, Math.ceil(Math.max(ROTATION_SAMPLES, 2 * leafCount(c.shape.depth)) / batchSize));
  const affordable = Math.floor(ROTATION_BYTES / (batchSize * inputDim * 4));
  return Math.max(2, Math.min(wanted, affordable, 256));
}

/** How the orchestrator sizes the memory budget, for skip reasons. */
export const MEMORY_BUDGET_FRACTION = 0.75;
export const MEMORY_BUDGET_TEXT = `${MEMORY_BUDGET_FRACTION * 100}% of the memory available when the run started`;

/**
 * Bytes a case plans to hold at once: the generated float32 weights plus the backend's own copies
 * (packed, serialised or uploaded; `Backend.weightCopies`, 1 unless it says otherwise), the
 * rotation's input batches, and the activations of the widest layer (a backend may materialise
 * the whole batch × width hidden layer).
 */
export function plannedBytes(c: CaseSpec, backendCopies = 1): { total: number; backendWeights: number; detail: string } {
  const { inputDim: i, outputDim: o, batchSize: b, leafWidth: l } = c.shape;
  const generated = weightBytes(c.model, c.shape);
  const backendWeights = backendCopies * generated;
  const inputs = rotationBatches(c) * b * i * 4;
  // The widest hidden layer: the dense width, a leaf's ℓ, or UltraFastBERT's one score per level.
  const width = c.model === 'dense' ? c.shape.trainingWidth : c.model === 'ufb' ? c.shape.depth + 1 : l;
  const activations = b * (i + width + o) * 4 * 2;
  const copies = backendCopies === 1 ? 'two copies' : `${1 + backendCopies} copies`;
  return {
    total: generated + backendWeights + inputs + activations,
    backendWeights,
    detail: `weights ${formatMiB(generated + backendWeights)} (${copies}), inputs ${formatMiB(inputs)}, activations ${formatMiB(activations)}`,
  };
}

/** The result's backend as this case ran it: the kernel's own thread count and notes, where it has them. */
function withKernelFacts(result: Result, kernel: Kernel): Result {
  if (kernel.threads === undefined && !kernel.notes) return result;
  const notes = [kernel.notes, result.backend.notes].filter(Boolean).join('; ');
  return { ...result, backend: { ...result.backend, threads: kernel.threads ?? result.backend.threads, ...(notes ? { notes } : {}) } };
}

export function baseResult(c: CaseSpec, runtimeVersion: string, backend: Result['backend']): Result {
  return {
    id: c.id,
    runtime: { name: c.runtime, version: runtimeVersion },
    backend,
    model: c.model,
    shape: c.shape,
    status: 'skipped',
    cost: costOf(c),
  };
}

/**
 * The seed of a case's weights: FFF and dense of one shape share nothing but the seed scheme;
 * weights depend only on the model and the layer (a UltraFastBERT shape's dense layer is another
 * layer than the FFF shape's of the same numbers), not on the batch size or the backend.
 */
export function weightSeedOf(seed: number, model: ModelKind, shape: LayerShape): number {
  const tree = shape.tree ? `/${shape.tree}` : '';
  return deriveSeed(seed, `weights/${model}/${shape.inputDim}/${shape.outputDim}/${shape.depth}/${shape.leafWidth}${tree}`);
}

/**
 * A case made ready to time: its kernel prepared, its output checked against the float64
 * reference, its timing inputs in place, one warm-up call made. `fffbench run` times it once
 * (runCase); `fffbench ab` times it in rounds, alternating with the other revision's (serve.ts).
 */
export interface PreparedCase {
  /**
   * The result so far: status `ok` with its check and rotation, waiting for its stats, when `call`
   * is set; otherwise final (skipped, invalid or failed, with why).
   */
  result: Result;
  /** One timed call, each on the next input batch of the rotation; set only when the check passed. */
  call?: () => unknown;
  /** How long the warm-up call (the first after the check) took, in ns. */
  firstCallNs?: number;
  /** Frees the kernel; every prepared case is disposed of, whatever became of it. */
  dispose(): Promise<void>;
}

const NOTHING_TO_DISPOSE = async () => {};

/** What an exception in a case makes of its result: skipped when the case is beyond the backend, else failed. */
function resultOfError(result: Result, err: unknown): Result {
  if (err instanceof CaseTooLarge) return { ...result, status: 'skipped', reason: err.message };
  return { ...result, status: 'failed', reason: `${(err as Error)?.message ?? String(err)}` };
}

/** Prepares a case to be timed (see PreparedCase): every check that can skip or fail it happens here. */
export async function prepareCase(c: CaseSpec, backend: Backend, ctx: Omit<CaseContext, 'measurement'>): Promise<PreparedCase> {
  let result = baseResult(c, ctx.runtimeVersion, backend.info());
  const final = (r: Result): PreparedCase => ({ result: r, dispose: NOTHING_TO_DISPOSE });
  if (c.model === 'encoder')
    return final({ ...result, status: 'failed', reason: 'an encoder case runs through runEncoderCase (encoder-case.ts), not runCase' });
  if (!backendModels(backend).includes(c.model)) {
    return final({ ...result, status: 'skipped', reason: `${backend.name} has no ${c.model} kernel (it runs ${backendModels(backend).join(' and ')})` });
  }
  if (ctx.maxWeightBytes !== undefined && result.cost.weightBytes > ctx.maxWeightBytes) {
    return final({
      ...result,
      status: 'skipped',
      reason: `weights need ${formatMiB(result.cost.weightBytes)}, over the suite's limit of ${formatMiB(ctx.maxWeightBytes)} (limits.maxWeightBytes)`,
    });
  }
  const planned = plannedBytes(c, backend.weightCopies?.(c.model, result.cost.weightBytes, c.shape) ?? 1);
  if (planned.total > ctx.memoryBudgetBytes) {
    return final({
      ...result,
      status: 'skipped',
      reason: `needs about ${formatMiB(planned.total)} (${planned.detail}), over the memory budget of ${formatMiB(ctx.memoryBudgetBytes)} (${MEMORY_BUDGET_TEXT})`,
    });
  }
  const backendLimit = backend.maxMemoryBytes?.[c.model];
  if (backendLimit !== undefined && planned.backendWeights > backendLimit) {
    return final({
      ...result,
      status: 'skipped',
      reason: `the backend's copy of the weights needs about ${formatMiB(planned.backendWeights)}, over its memory limit of ${formatMiB(backendLimit)}`,
    });
  }
  const { inputDim: i, batchSize: batch } = c.shape;
  const caseSeed = deriveSeed(ctx.seed, c.id);
  const weightSeed = weightSeedOf(ctx.seed, c.model, c.shape);
  // Released after the check: a backend that packed or uploaded them holds its own copy, and a
  // deep model's generated arrays are gigabytes the timed calls must not compete with.
  let weights: Weights | undefined = initWeights(c.model, c.shape, weightSeed);
  let kernel: Kernel | undefined;
  const dispose = async () => {
    const k = kernel;
    kernel = undefined;
    await k?.dispose();
  };
  try {
    const batches = rotationBatches(c);
    kernel = await backend.prepare(weights, batch, { inputBatches: 1 + batches });
    result = withKernelFacts(result, kernel);
    // The same numbers either way: in the kernel's own memory where it offers room (Kernel.inputs,
    // possibly fewer than asked), else fresh arrays.
    const slots = kernel.inputs ?? [];
    const inputBatch = (slot: number, seed: number) => (slot < slots.length ? new Rng(seed).fillUniform(slots[slot], 1) : randomInputs(batch * i, seed));
    const checkInput = inputBatch(0, deriveSeed(caseSeed, 'check'));
    await kernel.run(checkInput);
    const output = await kernel.output();
    const bad = output.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      await dispose();
      return final({ ...result, status: 'failed', reason: `the backend returned ${output[bad]} at output index ${bad}` });
    }
    const check = checkOutput(weights, checkInput, output, batch);
    weights = undefined;
    if (!check.ok) {
      await dispose();
      return final({
        ...result,
        status: 'invalid',
        check,
        reason: `output differs from the float64 reference: max error ${check.maxRelError.toExponential(2)} of magnitude > tolerance ${check.tolerance}`,
      });
    }
    const inputs = Array.from({ length: batches }, (_, k) => inputBatch(1 + k, deriveSeed(caseSeed, `timing/${k}`)));
    let next = 0;
    const k = kernel;
    const call = () => k.run(inputs[next++ % batches]);
    const t0 = performance.now();
    await call();
    const firstCallNs = (performance.now() - t0) * 1e6;
    return { result: { ...result, status: 'ok', check, rotation: { batches, distinctSamples: batches * batch } }, call, firstCallNs, dispose };
  } catch (err) {
    await dispose();
    return final(resultOfError(result, err));
  }
}

export async function runCase(c: CaseSpec, backend: Backend, ctx: CaseContext): Promise<Result> {
  const prepared = await prepareCase(c, backend, ctx);
  try {
    if (!prepared.call) return prepared.result;
    const stats = await measureCall(prepared.call, ctx.measurement, prepared.firstCallNs!);
    return { ...prepared.result, stats };
  } catch (err) {
    return resultOfError(prepared.result, err);
  } finally {
    await prepared.dispose();
  }
}
