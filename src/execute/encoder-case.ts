/**
 * Runs one encoder-layer case (model `encoder`): build the weights, assemble the layer from its
 * engines (encoder-pipeline.ts), check it against the float64 reference of the whole layer on fresh
 * inputs — the call as timed and the call in parts — then time the call, then its split.
 *
 * The layer's time is the call timed by mitata, as every case's (stats). The split follows, in
 * rounds: each round one whole call and one call with its parts timed, on the next input of the
 * rotation, so both see the same machine state; the result keeps every part's samples and the
 * interleaved whole's, and the report puts the sum of the parts' medians beside the whole's.
 */
import { CaseTooLarge, type Backend, type BackendInfo } from '../backends/types.ts';
import { measureCall } from '../measure/measure.ts';
import { summarize } from '../measure/stats.ts';
import { encoderEngines, type CaseSpec } from '../model/case.ts';
import { weightBytes } from '../model/cost.ts';
import { ENCODER_PARTS, feedforwardOf, initEncoder, tokensPerCall, type EncoderWeights } from '../model/encoder.ts';
import { deriveSeed, Rng } from '../model/rng.ts';
import type { EncoderRun, Result } from '../results/schema.ts';
import { checkEncoderOutput } from './encoder-check.ts';
import { prepareEncoderPipeline, type EncoderPipeline } from './encoder-pipeline.ts';
import { baseResult, MEMORY_BUDGET_TEXT, ROTATION_BYTES, ROTATION_SAMPLES, type CaseContext } from './run-case.ts';
import { formatMiB } from '../text/format.ts';

/** Rounds of the split: at least this many, more while they fit the case's minimum time, at most SPLIT_MAX_ROUNDS. */
export const SPLIT_MIN_ROUNDS = 5;
export const SPLIT_MAX_ROUNDS = 31;

/** The seed an encoder's weights come from: the same for every feedforward, batch and backend (initEncoder derives its streams). */
export function encoderWeightSeed(seed: number): number {
  return deriveSeed(seed, 'weights/encoder');
}

/** Input batches the timed calls cycle through: enough distinct tokens for the trees' paths, within ROTATION_BYTES. */
export function encoderRotationBatches(c: CaseSpec): number {
  const tokens = tokensPerCall(c.shape);
  const wanted = Math.max(4, Math.ceil(ROTATION_SAMPLES / tokens));
  const affordable = Math.floor(ROTATION_BYTES / (tokens * c.shape.inputDim * 4));
  return Math.max(2, Math.min(wanted, affordable, 256));
}

/**
 * Bytes the case plans to hold: the generated weights and the engines' copies of them (a graph
 * engine's constants, prepacked; the tree backend's memory), the rotation's inputs, and the
 * activations of the widest part (the dense feedforward's hidden layer, the attention scores).
 */
export function encoderPlannedBytes(c: CaseSpec): { total: number; detail: string } {
  const { inputDim: hidden, batchSize } = c.shape;
  const { seqLen, heads } = c.shape.encoder!;
  const tokens = tokensPerCall(c.shape);
  const weights = weightBytes('encoder', c.shape) * 4;
  const inputs = encoderRotationBatches(c) * tokens * hidden * 4;
  const f = feedforwardOf(c.shape);
  const activations = (tokens * (8 * hidden + (f.kind === 'dense' ? f.width : 0)) + batchSize * heads * seqLen * seqLen * 2) * 4;
  return {
    total: weights + inputs + activations,
    detail: `weights ${formatMiB(weights)} (four copies), inputs ${formatMiB(inputs)}, activations ${formatMiB(activations)}`,
  };
}

const threadsText = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;

/** The result's backend: the graph engine's and the tree backend's, under the case's backend name. */
function compositeInfo(name: string, graphs: BackendInfo, trees?: BackendInfo): Result['backend'] {
  return {
    name,
    version: trees ? `${graphs.version}+${trees.version}` : graphs.version,
    threads: Math.max(graphs.threads, trees?.threads ?? 0),
    denseKernel: graphs.denseKernel,
    ...(trees?.ufbStrategy ? { ufbStrategy: trees.ufbStrategy } : {}),
    notes: trees
      ? `the attention half and the final add and LayerNorm on ${graphs.name} (${threadsText(graphs.threads)}), the trees on ${trees.name} (${threadsText(trees.threads)})`
      : `the whole layer as one ${graphs.name} graph (${threadsText(graphs.threads)})`,
  };
}

type Split = NonNullable<EncoderRun['split']>;

/** Times the split: `rounds` rounds of one whole call and one call in parts. */
async function measureSplit(pipeline: EncoderPipeline, inputs: Float32Array[], rounds: number): Promise<Split> {
  const whole: number[] = [];
  const parts = Object.fromEntries(ENCODER_PARTS.map((p) => [p, [] as number[]])) as Record<(typeof ENCODER_PARTS)[number], number[]>;
  for (let r = 0; r < rounds; r++) {
    const input = inputs[r % inputs.length];
    const t0 = performance.now();
    await pipeline.run(input);
    whole.push((performance.now() - t0) * 1e6);
    const times = await pipeline.runParts(inputs[(r + 1) % inputs.length]);
    for (const p of ENCODER_PARTS) parts[p].push(times[p]);
  }
  return {
    rounds,
    whole: summarize(whole),
    parts: Object.fromEntries(ENCODER_PARTS.map((p) => [p, summarize(parts[p])])) as Split['parts'],
  };
}

export async function runEncoderCase(c: CaseSpec, engines: { graphs: Backend; trees?: Backend }, ctx: CaseContext): Promise<Result> {
  const names = encoderEngines(c.backend);
  let result = baseResult(c, ctx.runtimeVersion, compositeInfo(c.backend, engines.graphs.info(), engines.trees?.info()));
  if (c.model !== 'encoder' || !c.shape.encoder) return { ...result, status: 'failed', reason: `runEncoderCase: ${c.id} is not an encoder case` };
  const f = feedforwardOf(c.shape);
  if (f.kind === 'ufb' && !engines.trees)
    return {
      ...result,
      status: 'failed',
      reason: `a tree feedforward needs a backend for its trees: "${names.graphs}+<backend>" (the case's backend is "${c.backend}")`,
    };
  if (f.kind === 'dense' && engines.trees)
    return { ...result, status: 'failed', reason: `a dense feedforward runs in the ${names.graphs} graph; "${c.backend}" names a tree backend too` };
  if (!engines.graphs.graphs)
    return {
      ...result,
      status: 'skipped',
      reason: `${engines.graphs.name} runs no ONNX graphs, which the encoder layer's attention half needs (a backend with graphs(): ort-node)`,
    };
  if (engines.trees && !(engines.trees.models ?? []).includes('ufb'))
    return { ...result, status: 'skipped', reason: `${engines.trees.name} has no ufb kernel for the trees` };
  if (ctx.maxWeightBytes !== undefined && result.cost.weightBytes > ctx.maxWeightBytes) {
    return {
      ...result,
      status: 'skipped',
      reason: `weights need ${formatMiB(result.cost.weightBytes)}, over the suite's limit of ${formatMiB(ctx.maxWeightBytes)} (limits.maxWeightBytes)`,
    };
  }
  const planned = encoderPlannedBytes(c);
  if (planned.total > ctx.memoryBudgetBytes)
    return {
      ...result,
      status: 'skipped',
      reason: `needs about ${formatMiB(planned.total)} (${planned.detail}), over the memory budget of ${formatMiB(ctx.memoryBudgetBytes)} (${MEMORY_BUDGET_TEXT})`,
    };

  const tokens = tokensPerCall(c.shape);
  const size = tokens * c.shape.inputDim;
  const caseSeed = deriveSeed(ctx.seed, c.id);
  let weights: EncoderWeights | undefined = initEncoder(c.shape, encoderWeightSeed(ctx.seed));
  let pipeline: EncoderPipeline | undefined;
  try {
    pipeline = await prepareEncoderPipeline(weights, c.shape.batchSize, engines);
    const facts = pipeline.facts;
    result = {
      ...result,
      backend: {
        ...result.backend,
        threads: Math.max(facts.threads.graphs, facts.threads.feedforward),
        ...(facts.feedforwardNotes ? { notes: `${result.backend.notes}; ${facts.feedforwardNotes}` } : {}),
      },
      encoder: facts,
    };
    // The call as timed, and the call in parts (the split must time a correct layer too).
    const checkInput = new Rng(deriveSeed(caseSeed, 'check')).fillUniform(new Float32Array(size), 1);
    let check = undefined as ReturnType<typeof checkEncoderOutput> | undefined;
    for (const how of ['whole', 'parts'] as const) {
      if (how === 'whole') await pipeline.run(checkInput);
      else await pipeline.runParts(checkInput);
      const output = pipeline.output();
      const bad = output.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0)
        return {
          ...result,
          status: 'failed',
          reason: `the layer returned ${output[bad]} at output index ${bad}${how === 'parts' ? ' (the call in parts)' : ''}`,
        };
      const mine = checkEncoderOutput(weights, checkInput, output, c.shape.batchSize);
      if (!mine.ok) {
        return {
          ...result,
          status: 'invalid',
          check: mine,
          reason: `${how === 'parts' ? 'the call in parts: ' : ''}output differs from the float64 reference: max error ${mine.maxRelError.toExponential(2)} of the LayerNorm's scale > tolerance ${mine.tolerance}`,
        };
      }
      if (!check || mine.maxRelError > check.maxRelError) check = { ...mine, checkedSamples: Math.max(mine.checkedSamples, check?.checkedSamples ?? 0) };
    }
    weights = undefined;
    const batches = encoderRotationBatches(c);
    const inputs = Array.from({ length: batches }, (_, k) => new Rng(deriveSeed(caseSeed, `timing/${k}`)).fillUniform(new Float32Array(size), 1));
    let next = 0;
    const p = pipeline;
    const call = () => p.run(inputs[next++ % batches]);
    const t0 = performance.now();
    await call();
    const firstCallNs = (performance.now() - t0) * 1e6;
    const stats = await measureCall(call, ctx.measurement, firstCallNs);
    const rounds = Math.max(SPLIT_MIN_ROUNDS, Math.min(SPLIT_MAX_ROUNDS, Math.floor((ctx.measurement.minTimeMs * 1e6) / (2 * stats.median))));
    const split = await measureSplit(pipeline, inputs, rounds);
    return { ...result, status: 'ok', check, stats, rotation: { batches, distinctSamples: batches * c.shape.batchSize }, encoder: { ...facts, split } };
  } catch (err) {
    if (err instanceof CaseTooLarge) return { ...result, status: 'skipped', reason: err.message };
    return { ...result, status: 'failed', reason: `${(err as Error)?.message ?? String(err)}` };
  } finally {
    await pipeline?.dispose();
  }
}
