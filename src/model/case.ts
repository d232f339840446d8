/**
 * A case, and its identity: one measurement to make — a model on a backend in a runtime, at one
 * shape and batch size. The id is what results files, journals, comparisons and history key on.
 */
import type { RuntimeName } from './runtimes.ts';
import type { CaseShape, ModelKind } from './shape.ts';

export interface CaseSpec {
  id: string;
  runtime: RuntimeName;
  backend: string;
  model: ModelKind;
  shape: CaseShape;
}

/** The shape and batch size of a case, e.g. "i768-o768-d8-l32-b64-relu". */
export function shapeKey(s: CaseShape): string {
  return `i${s.inputDim}-o${s.outputDim}-d${s.depth}-l${s.leafWidth}-b${s.batchSize}-${s.activation}`;
}

/** A case's id: "<runtime>/<backend>/<model>/<shape key>". */
export function caseId(runtime: string, backend: string, model: ModelKind, shape: CaseShape): string {
  return `${runtime}/${backend}/${model}/${shapeKey(shape)}`;
}
