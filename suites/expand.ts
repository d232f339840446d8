/** Expands a validated suite into its cases: each sweep's cartesian product × runtimes × backends × models. */
import { caseId, shapeKey, type CaseSpec } from '../src/execute/case.ts';
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

/** Distinct shapes of the suite, in sweep order. */
export function expandShapes(suite: Suite, file = suite.name): CaseShape[] {
  const shapes = new Map<string, CaseShape>();
  suite.sweeps.forEach((sweep, k) => {
    for (const inputDim of sweep.inputDim)
      for (const outputDim of sweep.outputDim)
        for (const leafWidth of sweep.leafWidth)
          for (const depth of depthsOf(sweep, leafWidth, `${file}: sweeps[${k}]`))
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
  });
  return [...shapes.values()];
}

/** Every case, grouped by runtime, then backend, then shape (FFF before dense). */
export function expandCases(suite: Suite, file?: string): CaseSpec[] {
  const shapes = expandShapes(suite, file);
  const cases: CaseSpec[] = [];
  for (const runtime of suite.runtimes)
    for (const backend of suite.backends)
      for (const shape of shapes)
        for (const model of suite.models) cases.push({ id: caseId(runtime, backend, model, shape), runtime, backend, model, shape });
  return cases;
}
