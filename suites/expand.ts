/**
 * Expands a validated suite into its cases: each sweep's cartesian product × runtimes × backends × models.
 *
 * A sweep makes the shapes of one or both trees: FFF shapes (the original FFF, dense width 2^d·ℓ)
 * and UltraFastBERT shapes (`tree: 'ufb'`, dense width 2^(d+1) − 1). `fff` runs on the first,
 * `ufb` on the second, `dense` on both: models [fff, ufb, dense] give both pairings.
 */
import { caseId, encoderBackend, shapeKey, type CaseSpec } from '../src/model/case.ts';
import { encoderShape, parseFeedforward, type Feedforward } from '../src/model/encoder.ts';
import type { CaseShape, ModelKind } from '../src/model/shape.ts';
import { trainingWidth } from '../src/model/shape.ts';
import { UserError } from './load.ts';
import { SWEEP_TREES, type EncoderSweep, type Suite, type Sweep } from './schema.ts';

type Tree = (typeof SWEEP_TREES)[number];

/** The models that run on a tree's shapes. */
const MODELS_ON: Record<Tree, readonly ModelKind[]> = { fff: ['fff', 'dense'], ufb: ['ufb', 'dense'] };

function depthsOf(sweep: Sweep, leafWidth: number, where: string): number[] {
  if (sweep.depth) return sweep.depth;
  return sweep.trainingWidth!.map((w) => {
    const depth = Math.log2(w / leafWidth);
    if (!Number.isInteger(depth) || depth < 0) {
      throw new UserError(`${where}.trainingWidth: ${w} is not leafWidth ${leafWidth} times a power of two`);
    }
    return depth;
  });
}

/**
 * The trees whose shapes a sweep makes, checked against its models: `sweep.tree`, or else the
 * trees of its tree models (FFF shapes when it runs only `dense`).
 */
function treesOf(sweep: Sweep, models: ModelKind[], where: string): Tree[] {
  const fromModels = SWEEP_TREES.filter((t) => models.includes(t));
  const trees = sweep.tree ?? (fromModels.length > 0 ? fromModels : ['fff']);
  for (const t of fromModels) {
    if (!trees.includes(t))
      throw new UserError(`${where}.tree: model ${t} runs on ${t} shapes, but the sweep's tree is ${JSON.stringify(sweep.tree)}; add "${t}" or drop the model`);
  }
  if (trees.includes('ufb')) {
    if (sweep.trainingWidth)
      throw new UserError(`${where}.trainingWidth: UltraFastBERT shapes (model ufb or tree "ufb") take "depth" instead: their dense width is 2^(depth+1) − 1`);
    const other = sweep.leafWidth.filter((l) => l !== 1);
    if (other.length > 0)
      throw new UserError(
        `${where}.leafWidth: UltraFastBERT shapes (model ufb or tree "ufb") have leaf width 1, its nodes being single neurons (given: ${JSON.stringify(other)}); put other leaf widths in a sweep of their own`,
      );
  }
  return trees;
}

/** Distinct shapes of one sweep, in order (FFF shapes, then UltraFastBERT shapes), each with the models that run on it. */
function sweepShapes(sweep: Sweep, models: ModelKind[], where: string): { shape: CaseShape; models: ModelKind[] }[] {
  const shapes = new Map<string, { shape: CaseShape; models: ModelKind[] }>();
  for (const tree of treesOf(sweep, models, where))
    for (const inputDim of sweep.inputDim)
      for (const outputDim of sweep.outputDim)
        for (const leafWidth of sweep.leafWidth)
          for (const depth of depthsOf(sweep, leafWidth, where))
            for (const batchSize of sweep.batchSize)
              for (const activation of sweep.activation) {
                const ufb = tree === 'ufb' ? { tree } : {};
                const shape: CaseShape = {
                  inputDim,
                  outputDim,
                  depth,
                  leafWidth,
                  trainingWidth: trainingWidth({ depth, leafWidth, ...ufb }),
                  batchSize,
                  activation,
                  ...ufb,
                };
                shapes.set(shapeKey(shape), { shape, models: models.filter((m) => MODELS_ON[tree].includes(m)) });
              }
  return [...shapes.values()];
}

/** The encoder layers of one encoder sweep, in order: feedforward, then sequence length, then batch. */
function encoderShapes(sweep: EncoderSweep): CaseShape[] {
  return sweep.feedforward.flatMap((name) =>
    sweep.seqLen.flatMap((seqLen) =>
      sweep.batchSize.map((batch) =>
        encoderShape({ hidden: sweep.hidden, heads: sweep.heads, seqLen, batch, feedforward: parseFeedforward(name) as Feedforward }),
      ),
    ),
  );
}

/**
 * The backends of an encoder layer's cases: each graph backend alone for a dense feedforward,
 * each graph backend with each tree backend ("ort-node+wasm-mt") for trees; with the command
 * line's --backends, only the engines it names.
 */
function encoderBackendsOf(sweep: EncoderSweep, shape: CaseShape, overrideBackends?: string[]): string[] {
  const keep = (names: string[]) => (overrideBackends ? names.filter((n) => overrideBackends.includes(n)) : names);
  return keep(sweep.graphs).flatMap((graphs) => (shape.tree === 'ufb' ? keep(sweep.trees).map((trees) => encoderBackend(graphs, trees)) : [graphs]));
}

/** Distinct shapes of the suite, in sweep order (layer sweeps, then encoder sweeps). */
export function expandShapes(suite: Suite, file = suite.name): CaseShape[] {
  const shapes = new Map<string, CaseShape>();
  suite.sweeps.forEach((sweep, k) => {
    for (const { shape } of sweepShapes(sweep, sweep.models ?? suite.models, `${file}: sweeps[${k}]`)) shapes.set(shapeKey(shape), shape);
  });
  for (const sweep of suite.encoders) for (const shape of encoderShapes(sweep)) shapes.set(shapeKey(shape), shape);
  return [...shapes.values()];
}

/**
 * Every case, grouped by runtime, then backend, then shape (the tree model before dense), then the
 * runtime's encoder layers (feedforward, sequence length, batch, then engines). A
 * sweep's own `backends` and `models` replace the suite's for that sweep, unless
 * `overrideBackends` (the command line's --backends) replaces them all.
 */
export function expandCases(suite: Suite, file = suite.name, overrideBackends?: string[]): CaseSpec[] {
  const cases = new Map<string, CaseSpec>();
  for (const runtime of suite.runtimes) {
    for (const backend of overrideBackends ?? uniqueBackends(suite)) {
      suite.sweeps.forEach((sweep, k) => {
        if (!overrideBackends && !(sweep.backends ?? suite.backends).includes(backend)) return;
        for (const { shape, models } of sweepShapes(sweep, sweep.models ?? suite.models, `${file}: sweeps[${k}]`))
          for (const model of models) {
            const id = caseId(runtime, backend, model, shape);
            cases.set(id, { id, runtime, backend, model, shape });
          }
      });
    }
    for (const sweep of suite.encoders) {
      for (const shape of encoderShapes(sweep)) {
        for (const backend of encoderBackendsOf(sweep, shape, overrideBackends)) {
          const id = caseId(runtime, backend, 'encoder', shape);
          cases.set(id, { id, runtime, backend, model: 'encoder', shape });
        }
      }
    }
  }
  return [...cases.values()];
}

function uniqueBackends(suite: Suite): string[] {
  return [...new Set([...suite.backends, ...suite.sweeps.flatMap((s) => s.backends ?? [])])];
}
