/** Expands a validated suite into its cases: each sweep's cartesian product × runtimes × backends × models. */
import { caseId, shapeKey, type CaseSpec } from '../src/model/case.ts';
import type { CaseShape } from '../src/model/shape.ts';
import { trainingWidth } from '../src/model/shape.ts';
import { UserError } from './load.ts';
import type { Suite, Sweep } from './schema.ts';

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

/** Distinct shapes of one sweep, in order. */
function sweepShapes(sweep: Sweep, where: string): CaseShape[] {
  const shapes = new Map<string, CaseShape>();
  for (const inputDim of sweep.inputDim)
    for (const outputDim of sweep.outputDim)
      for (const leafWidth of sweep.leafWidth)
        for (const depth of depthsOf(sweep, leafWidth, where))
          for (const batchSize of sweep.batchSize)
            for (const activation of sweep.activation) {
              const shape: CaseShape = {
                inputDim,
                outputDim,
                depth,
                leafWidth,
                trainingWidth: trainingWidth({ depth, leafWidth }),
                batchSize,
                activation,
              };
              shapes.set(shapeKey(shape), shape);
            }
  return [...shapes.values()];
}

/** Distinct shapes of the suite, in sweep order. */
export function expandShapes(suite: Suite, file = suite.name): CaseShape[] {
  const shapes = new Map<string, CaseShape>();
  suite.sweeps.forEach((sweep, k) => {
    for (const shape of sweepShapes(sweep, `${file}: sweeps[${k}]`)) shapes.set(shapeKey(shape), shape);
  });
  return [...shapes.values()];
}

/**
 * Every case, grouped by runtime, then backend, then shape (FFF before dense). A sweep's own
 * `backends` and `models` replace the suite's for that sweep, unless `overrideBackends` (the
 * command line's --backends) replaces them all.
 */
export function expandCases(suite: Suite, file = suite.name, overrideBackends?: string[]): CaseSpec[] {
  const cases = new Map<string, CaseSpec>();
  for (const runtime of suite.runtimes) {
    for (const backend of overrideBackends ?? uniqueBackends(suite)) {
      suite.sweeps.forEach((sweep, k) => {
        if (!overrideBackends && !(sweep.backends ?? suite.backends).includes(backend)) return;
        for (const shape of sweepShapes(sweep, `${file}: sweeps[${k}]`))
          for (const model of sweep.models ?? suite.models) {
            const id = caseId(runtime, backend, model, shape);
            cases.set(id, { id, runtime, backend, model, shape });
          }
      });
    }
  }
  return [...cases.values()];
}

function uniqueBackends(suite: Suite): string[] {
  return [...new Set([...suite.backends, ...suite.sweeps.flatMap((s) => s.backends ?? [])])];
}
